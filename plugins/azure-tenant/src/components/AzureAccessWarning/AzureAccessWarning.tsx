import { useMemo } from 'react';
import Typography from '@material-ui/core/Typography';
import { WarningPanel } from '@backstage/core-components';
import { Entity } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import {
  ANNOTATION_AZURE_ACCESS_PROBLEM,
  ANNOTATION_AZURE_ACCESS_SINCE,
  AzureAccessProblem,
} from '@azure-tenant/plugin-azure-tenant-common';
import {
  accessProblemTitle,
  explainAccessProblem,
  formatTimeBoth,
  isAccessWarning,
} from '../AccessStatus';

/**
 * Whether the portal has lost access to the Azure subscription an entity stands for: its
 * `azure-tenant.io/access-problem` annotation is set.
 *
 * @public
 */
export function isAzureAccessLost(entity: Entity): boolean {
  return !!entity.metadata.annotations?.[ANNOTATION_AZURE_ACCESS_PROBLEM];
}

/**
 * A warning on a subscription entity while the portal has lost access to it: what happened, since when, that the
 * entity and its resources keep their last synced state, and where an admin fixes it. Renders nothing otherwise.
 */
export function AzureAccessWarning() {
  const { entity } = useEntity();
  const annotations = entity.metadata.annotations ?? {};
  const problem = annotations[ANNOTATION_AZURE_ACCESS_PROBLEM];
  const since = annotations[ANNOTATION_AZURE_ACCESS_SINCE];
  const now = useMemo(() => Date.now(), []);
  if (!problem) {
    return null;
  }
  const explanation = explainAccessProblem(problem as AzureAccessProblem);
  return (
    <WarningPanel
      severity={
        isAccessWarning({ problem: problem as AzureAccessProblem })
          ? 'warning'
          : 'error'
      }
      title={accessProblemTitle(problem)}
      message={explanation}
      defaultExpanded
    >
      {since && (
        <Typography variant="body2" paragraph>
          Since {formatTimeBoth(since, now)}.
        </Typography>
      )}
      <Typography variant="body2" paragraph>
        This subscription and its resources keep the state of the last
        successful sync, so what the catalog shows may be out of date. The
        portal tries again on its own and resumes once access is back.
      </Typography>
      <Typography variant="body2">
        A portal admin sees what to do on the Azure tenants page.
      </Typography>
    </WarningPanel>
  );
}
