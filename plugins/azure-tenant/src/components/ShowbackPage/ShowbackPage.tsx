import { Content, Header, Page } from '@backstage/core-components';
import { ShowbackContent } from '../ShowbackContent';

/** The showback page for the legacy frontend system, with its own header. */
export function ShowbackPage() {
  return (
    <Page themeId="tool">
      <Header
        title="Showback"
        subtitle="Each team's Azure spend, from what it owns in the catalog, and the spend no team owns"
      />
      <Content>
        <ShowbackContent />
      </Content>
    </Page>
  );
}
