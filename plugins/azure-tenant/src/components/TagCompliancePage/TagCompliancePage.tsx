import { Content, Header, Page } from '@backstage/core-components';
import { TagComplianceContent } from '../TagComplianceContent';

/** The Tag compliance page for the legacy frontend system, with its own header. */
export function TagCompliancePage() {
  return (
    <Page themeId="tool">
      <Header
        title="Tag compliance"
        subtitle="How Azure resources follow the tag policies, per team, and the fixes to apply in bulk"
      />
      <Content>
        <TagComplianceContent />
      </Content>
    </Page>
  );
}
