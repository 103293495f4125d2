import { Content, Header, Page } from '@backstage/core-components';
import { AzureTenantsContent } from '../AzureTenantsContent';

/** The Azure tenants admin page for the legacy frontend system, with its own header. */
export function AzureTenantsPage() {
  return (
    <Page themeId="tool">
      <Header
        title="Azure tenants"
        subtitle="Connect Azure tenants to the portal and choose what it synchronizes from each subscription"
      />
      <Content>
        <AzureTenantsContent />
      </Content>
    </Page>
  );
}
