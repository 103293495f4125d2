import { useCallback, useMemo } from 'react';
import Grid from '@material-ui/core/Grid';
import { useSearchParams } from 'react-router-dom';
import { TagFixSelection } from '@azure-tenant/plugin-azure-tenant-common';
import {
  useTagComplianceSummary,
  useTagComplianceTeams,
} from '../../hooks/useTagComplianceTeams';
import { useTagPolicies } from '../../hooks/useTagPolicies';
import { AzureTagPoliciesTable } from '../AzureTagPoliciesTable';
import { TagFixesPanel } from '../TagFixesPanel';
import { TagPoliciesTable } from '../TagPoliciesTable';
import { ComplianceSummaryCard } from './ComplianceSummaryCard';
import { TeamsComplianceTable } from './TeamsComplianceTable';

/** Props of {@link TagComplianceContent}. */
export interface TagComplianceContentProps {
  /** How often a running bulk fix's progress is read, in milliseconds. */
  fixJobPollMs?: number;
}

/**
 * The body of the Tag compliance page, without a page header (the new frontend system's page layout brings its own):
 * the compliance of every resource with its trend, each team's, the tag policies with Azure's own beside them, and the
 * suggested fixes in bulk.
 */
export function TagComplianceContent(props: TagComplianceContentProps) {
  // The Spend view's and the compliance card's links name a subscription or an owner: the fixes start from it.
  const [searchParams] = useSearchParams();
  const subscriptionId = searchParams.get('subscriptionId');
  const ownerRef = searchParams.get('ownerRef');
  const initialSelection = useMemo<TagFixSelection>(
    () => ({
      ...(subscriptionId ? { subscriptionIds: [subscriptionId] } : {}),
      ...(ownerRef ? { ownerRef } : {}),
    }),
    [subscriptionId, ownerRef],
  );
  const summary = useTagComplianceSummary();
  const teams = useTagComplianceTeams();
  const policies = useTagPolicies();
  const reloadSummary = summary.reload;
  const reloadTeams = teams.reload;
  const reloadPolicies = policies.reload;

  // A policy change and a finished bulk fix both change the figures: the backend evaluates again at once.
  const reloadCompliance = useCallback(() => {
    reloadSummary();
    reloadTeams();
  }, [reloadSummary, reloadTeams]);
  const policiesChanged = useCallback(() => {
    reloadPolicies();
    reloadCompliance();
  }, [reloadPolicies, reloadCompliance]);

  return (
    <Grid container spacing={3}>
      <Grid item xs={12}>
        <ComplianceSummaryCard summary={summary} />
      </Grid>
      <Grid item xs={12}>
        <TeamsComplianceTable teams={teams} />
      </Grid>
      <Grid item xs={12}>
        <TagPoliciesTable policies={policies} onChanged={policiesChanged} />
      </Grid>
      <Grid item xs={12}>
        <AzureTagPoliciesTable />
      </Grid>
      <Grid item xs={12} id="fixes">
        <TagFixesPanel
          initialSelection={initialSelection}
          policies={policies.items}
          onFinished={reloadCompliance}
          pollMs={props.fixJobPollMs}
        />
      </Grid>
    </Grid>
  );
}
