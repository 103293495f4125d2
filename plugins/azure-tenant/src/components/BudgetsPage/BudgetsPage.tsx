import { Content, Header, Page } from '@backstage/core-components';
import { BudgetsContent } from '../BudgetsContent';

/** The Budgets page for the legacy frontend system, with its own header. */
export function BudgetsPage() {
  return (
    <Page themeId="tool">
      <Header
        title="Budgets"
        subtitle="Budgets on Azure spend, owned by teams: their use, forecast and state, and the alerts sent"
      />
      <Content>
        <BudgetsContent />
      </Content>
    </Page>
  );
}
