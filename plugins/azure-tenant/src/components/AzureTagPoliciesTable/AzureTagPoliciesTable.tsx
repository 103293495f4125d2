import Typography from '@material-ui/core/Typography';
import { Progress, Table, TableColumn } from '@backstage/core-components';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import { ResponseError } from '@backstage/errors';
import {
  AzureTagPolicyAssignment,
  azureSubscriptionEntityRef,
} from '@azure-tenant/plugin-azure-tenant-common';
import { useAzureTagPolicies } from '../../hooks/useTagPolicies';
import { InlineError } from '../InlineError';

const EFFECT_TEXT: Record<AzureTagPolicyAssignment['effect'], string> = {
  require: 'Requires the tag',
  'inherit-from-resource-group': 'Inherits from the resource group',
  'inherit-from-subscription': 'Inherits from the subscription',
  add: 'Adds the tag',
  other: 'Other',
};

interface AzureTagPolicyRow {
  id: string;
  assignment: AzureTagPolicyAssignment;
  subscriptionId: string;
  scope: string;
  definition: string;
  effect: string;
  tag: string;
  enforcement: string;
}

/** Where an assignment applies, in words: the subscription, or a resource group in it. */
export function assignmentScopeText(scope: string): string {
  const group = /\/resourceGroups\/([^/]+)/i.exec(scope);
  return group ? `Resource group ${group[1]}` : 'Subscription';
}

const columns: TableColumn<AzureTagPolicyRow>[] = [
  {
    title: 'Subscription',
    field: 'subscriptionId',
    render: ({ assignment }) => (
      <EntityRefLink
        entityRef={azureSubscriptionEntityRef(assignment.subscriptionId)}
        hideIcon
      />
    ),
  },
  { title: 'Scope', field: 'scope' },
  {
    title: 'Definition',
    field: 'definition',
    highlight: true,
    render: ({ assignment }) => (
      <>
        <Typography variant="body2">{assignment.displayName}</Typography>
        <Typography variant="caption" color="textSecondary">
          {assignment.definitionName}
        </Typography>
      </>
    ),
  },
  { title: 'Effect', field: 'effect' },
  { title: 'Tag', field: 'tag' },
  { title: 'Enforcement', field: 'enforcement' },
];

/** A 403 or 401: the portal's principal may not read the assignments, or the user may not read this list. */
function isAccessProblem(error: Error): boolean {
  return (
    error instanceof ResponseError &&
    (error.statusCode === 403 || error.statusCode === 401)
  );
}

/**
 * The Azure Policy assignments that require, add or inherit a tag on the connected subscriptions, read with the
 * portal's Reader role and shown read-only beside the portal's policies, so that the two can be aligned.
 */
export function AzureTagPoliciesTable() {
  const { loading, error, items } = useAzureTagPolicies();
  if (error) {
    return (
      <InlineError
        title={
          isAccessProblem(error)
            ? "Azure's tag policies need access"
            : "Could not read Azure's tag policies"
        }
        error={error}
      />
    );
  }
  if (loading && !items) {
    return <Progress />;
  }
  const rows = (items ?? []).map(
    (assignment): AzureTagPolicyRow => ({
      id: assignment.id,
      assignment,
      subscriptionId: assignment.subscriptionId,
      scope: assignmentScopeText(assignment.scope),
      definition: assignment.displayName,
      effect: EFFECT_TEXT[assignment.effect],
      tag: assignment.tagName
        ? `${assignment.tagName}${
            assignment.tagValue !== undefined ? ` = ${assignment.tagValue}` : ''
          }`
        : '—',
      enforcement:
        assignment.enforcementMode === 'DoNotEnforce'
          ? 'Not enforced'
          : 'Enforced',
    }),
  );
  return (
    <Table<AzureTagPolicyRow>
      title="Azure Policy assignments"
      subtitle="Tag policies assigned in Azure on the connected subscriptions, read-only here: change them in the Azure portal."
      columns={columns}
      data={rows}
      options={{
        paging: rows.length > 20,
        pageSize: 20,
        search: false,
        padding: 'dense',
      }}
      emptyContent={
        <Typography variant="body2" style={{ padding: 16 }}>
          No Azure Policy assignment about tags was found on the connected
          subscriptions. The portal reads them with the Reader role: a
          subscription where it has no access shows none.
        </Typography>
      }
    />
  );
}
