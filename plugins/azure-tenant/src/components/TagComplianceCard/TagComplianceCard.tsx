import Box from '@material-ui/core/Box';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemText from '@material-ui/core/ListItemText';
import Typography from '@material-ui/core/Typography';
import BuildIcon from '@material-ui/icons/Build';
import {
  InfoCard,
  Link,
  LinkButton,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import {
  ANNOTATION_AZURE_RESOURCE_ID,
  ANNOTATION_AZURE_SUBSCRIPTION_ID,
  TagComplianceSummary,
  TagPolicy,
} from '@azure-tenant/plugin-azure-tenant-common';
import {
  useResourceTagCompliance,
  useTagCompliancePageLink,
  useTagComplianceSummary,
} from '../../hooks/useTagCompliance';
import { useTagPolicies } from '../../hooks/useTagPolicies';
import {
  isAzureResourceEntity,
  isAzureSubscriptionEntity,
} from '../../spendTarget';
import { ComplianceSparkline } from '../TagComplianceContent/ComplianceTrend';
import { percentText } from '../TagComplianceContent/complianceText';
import { resourceCount } from '../TagsContent/resourceCount';

/** The days of history the card's trend shows. */
const TREND_DAYS = 30;
/** The broken policies the card names, most broken first. */
const TOP_POLICIES = 3;

/** Whose compliance an entity page shows. */
type ComplianceTarget =
  | { kind: 'owner'; ownerRef: string }
  | { kind: 'subscription'; subscriptionId: string }
  | { kind: 'resource'; resourceId: string };

function complianceTargetOf(entity: Entity): ComplianceTarget | undefined {
  const annotations = entity.metadata.annotations ?? {};
  if (isAzureSubscriptionEntity(entity)) {
    const subscriptionId = annotations[ANNOTATION_AZURE_SUBSCRIPTION_ID];
    return subscriptionId
      ? { kind: 'subscription', subscriptionId }
      : undefined;
  }
  if (isAzureResourceEntity(entity)) {
    return {
      kind: 'resource',
      resourceId: annotations[ANNOTATION_AZURE_RESOURCE_ID],
    };
  }
  const kind = entity.kind.toLocaleLowerCase('en-US');
  if (kind === 'group' || kind === 'user') {
    return { kind: 'owner', ownerRef: stringifyEntityRef(entity) };
  }
  return undefined;
}

/**
 * The Tag compliance card of an entity page: on a group or user, the share of the Azure resources it owns that follow
 * the tag policies, with its 30-day trend and the policies most broken; on a subscription, the same of its resources;
 * on a resource, whether it follows them and, for each policy it breaks, why. Links to the Tag compliance page and
 * its suggested fixes.
 */
export function TagComplianceCard() {
  const { entity } = useEntity();
  const target = complianceTargetOf(entity);
  return (
    <InfoCard title="Tag compliance">
      {!target && (
        <Typography variant="body2" color="textSecondary">
          Tag compliance is shown for groups, users, and Azure subscriptions and
          resources.
        </Typography>
      )}
      {target?.kind === 'resource' && (
        <ResourceCompliance resourceId={target.resourceId} />
      )}
      {target && target.kind !== 'resource' && (
        <ScopeCompliance target={target} />
      )}
    </InfoCard>
  );
}

function ResourceCompliance(props: { resourceId: string }) {
  const state = useResourceTagCompliance(props.resourceId);
  if (state.error) return <ResponseErrorPanel error={state.error} />;
  if (state.notEvaluated) {
    return (
      <Typography variant="body2" color="textSecondary">
        Not evaluated yet: compliance is known after the next sync of this
        resource.
      </Typography>
    );
  }
  const { compliance } = state;
  if (!compliance) return <Progress />;
  const evaluated = (
    <Typography variant="caption" color="textSecondary">
      Evaluated {new Date(compliance.evaluatedAt).toLocaleString()}
    </Typography>
  );
  if (compliance.status === 'unknown') {
    return (
      <>
        <Typography variant="body1">Unknown</Typography>
        <Typography variant="body2" color="textSecondary">
          The subscription's sync mode keeps no tags, so the portal cannot tell
          whether this resource follows the tag policies.
        </Typography>
      </>
    );
  }
  if (compliance.status === 'compliant') {
    return (
      <>
        <Typography variant="body1">Compliant</Typography>
        <Typography variant="body2" color="textSecondary">
          This resource follows every tag policy that applies to it.
        </Typography>
        {evaluated}
      </>
    );
  }
  return (
    <>
      <Typography variant="body1">
        Non-compliant: breaks {compliance.violations.length}{' '}
        {compliance.violations.length === 1 ? 'policy rule' : 'policy rules'}
      </Typography>
      <List dense disablePadding aria-label="Violations">
        {compliance.violations.map(violation => (
          <ListItem
            key={`${violation.policyId}-${violation.code}`}
            disableGutters
            divider
          >
            <ListItemText
              primary={violation.message}
              secondary={violation.policyName}
            />
          </ListItem>
        ))}
      </List>
      {evaluated}
    </>
  );
}

function ScopeCompliance(props: {
  target: Exclude<ComplianceTarget, { kind: 'resource' }>;
}) {
  const { target } = props;
  const scopeQuery: Record<string, string> =
    target.kind === 'owner'
      ? { ownerRef: target.ownerRef }
      : { subscriptionId: target.subscriptionId };
  const state = useTagComplianceSummary({ ...scopeQuery, days: TREND_DAYS });
  const policies = useTagPolicies();
  const pageLink = useTagCompliancePageLink();

  if (state.error) return <ResponseErrorPanel error={state.error} />;
  if (!state.summary) return <Progress />;
  const link = pageLink?.(scopeQuery);
  return (
    <>
      <ScopeFigure
        summary={state.summary}
        policies={policies.items}
        whose={target.kind === 'owner' ? 'it owns' : 'in this subscription'}
      />
      {link && (
        <Box mt={2} display="flex" gridGap={16} alignItems="center">
          <Link to={link}>View tag compliance</Link>
          {state.summary.current.nonCompliant > 0 && (
            <LinkButton
              to={`${link}#fixes`}
              variant="outlined"
              color="primary"
              size="small"
              startIcon={<BuildIcon />}
            >
              Fix tags
            </LinkButton>
          )}
        </Box>
      )}
    </>
  );
}

function ScopeFigure(props: {
  summary: TagComplianceSummary;
  policies?: TagPolicy[];
  /** Which resources, in words: `it owns`, `in this subscription`. */
  whose: string;
}) {
  const { summary, policies, whose } = props;
  const { current } = summary;
  if (!summary.evaluatedAt) {
    return (
      <Typography variant="body2" color="textSecondary">
        Not evaluated yet: compliance is known after the next sync of the
        subscriptions.
      </Typography>
    );
  }
  const unknownText =
    current.unknown > 0
      ? `${resourceCount(
          current.unknown,
        )} ${whose} cannot be checked: their subscription's sync mode keeps no tags.`
      : undefined;
  if (current.resources === 0) {
    return (
      <Typography variant="body2" color="textSecondary">
        {unknownText ?? `No Azure resources ${whose}.`}
      </Typography>
    );
  }
  const top = Object.entries(current.byPolicy)
    .filter(([, count]) => count > 0)
    .sort(([, a], [, b]) => b - a)
    .slice(0, TOP_POLICIES);
  return (
    <>
      <Box display="flex" alignItems="center" gridGap={24} flexWrap="wrap">
        <Box>
          <Typography variant="h4" component="p" aria-label="Compliant share">
            {percentText(current)}
          </Typography>
          <Typography variant="body2" color="textSecondary">
            {current.nonCompliant === 0
              ? `All ${resourceCount(
                  current.resources,
                )} ${whose} follow the tag policies`
              : `${current.nonCompliant} of ${resourceCount(
                  current.resources,
                )} ${whose} break a tag policy`}
          </Typography>
        </Box>
        <ComplianceSparkline history={summary.history} />
      </Box>
      {unknownText && (
        <Typography variant="body2" color="textSecondary">
          {unknownText}
        </Typography>
      )}
      {top.length > 0 && (
        <Box mt={2}>
          <Typography variant="subtitle2">Most broken policies</Typography>
          <List dense disablePadding aria-label="Most broken policies">
            {top.map(([policyId, count]) => (
              <ListItem key={policyId} disableGutters>
                <ListItemText
                  primary={
                    policies?.find(p => p.id === policyId)?.name ?? policyId
                  }
                  secondary={`${resourceCount(count)}`}
                />
              </ListItem>
            ))}
          </List>
        </Box>
      )}
    </>
  );
}
