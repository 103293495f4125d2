import { useEffect, useRef, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import { InfoCard } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import {
  TagFixJob,
  TagFixPreview,
  TagFixSelection,
  TagPolicy,
} from '@azure-tenant/plugin-azure-tenant-common';
import { azureTenantApiRef } from '../../api';
import { isTagFixJobFinished, useTagFixJob } from '../../hooks/useTagFixJob';
import { InlineError } from '../InlineError';
import { ApplyFixesDialog } from './ApplyFixesDialog';
import { FixJobProgress } from './FixJobProgress';
import { FixPreview } from './FixPreview';
import { FixSelectionFields } from './FixSelectionFields';

/** Props of {@link TagFixesPanel}. */
export interface TagFixesPanelProps {
  /** The policies to pick from. */
  policies?: TagPolicy[];
  /** What is picked at first, e.g. the subscription or owner a link came from. */
  initialSelection?: TagFixSelection;
  /** Called once a bulk fix has finished, e.g. to read the compliance again. */
  onFinished?: (job: TagFixJob) => void;
  /** How often a running bulk fix's progress is read; the hook's default otherwise. */
  pollMs?: number;
}

/**
 * Suggested fixes in bulk: pick subscriptions, policies and kinds of fix, preview what would change (nothing is
 * written), apply after a confirmation, and follow the bulk fix until it is done.
 */
export function TagFixesPanel(props: TagFixesPanelProps) {
  const { policies, onFinished, pollMs, initialSelection } = props;
  const api = useApi(azureTenantApiRef);
  const subscriptions = useAsync(() => api.listSubscriptions(), [api]);
  const subscriptionList = Array.isArray(subscriptions.value)
    ? subscriptions.value
    : undefined;
  const [selection, setSelection] = useState<TagFixSelection>(
    initialSelection ?? {},
  );
  const [preview, setPreview] = useState<TagFixPreview>();
  const [previewing, setPreviewing] = useState(false);
  const [previewError, setPreviewError] = useState<Error>();
  const [confirming, setConfirming] = useState(false);
  const [applying, setApplying] = useState(false);
  const [applyError, setApplyError] = useState<Error>();
  const [started, setStarted] = useState<TagFixJob>();
  const progress = useTagFixJob(started, pollMs);

  // Reported once per job, when it stops.
  const reported = useRef<string>();
  useEffect(() => {
    const job = progress.job;
    if (job && isTagFixJobFinished(job) && reported.current !== job.id) {
      reported.current = job.id;
      onFinished?.(job);
    }
  }, [progress.job, onFinished]);

  const choose = (next: TagFixSelection) => {
    // A preview is of the selection it was asked for; another selection needs its own.
    setSelection(next);
    setPreview(undefined);
    setPreviewError(undefined);
  };

  const runPreview = async () => {
    setPreviewing(true);
    setPreviewError(undefined);
    setStarted(undefined);
    try {
      setPreview(await api.previewTagFixes(selection));
    } catch (e) {
      setPreview(undefined);
      setPreviewError(e as Error);
    } finally {
      setPreviewing(false);
    }
  };

  const apply = async () => {
    if (!preview) return;
    setApplying(true);
    setApplyError(undefined);
    try {
      const job = await api.applyTagFixes(preview.selection);
      setConfirming(false);
      setPreview(undefined);
      setStarted(job);
    } catch (e) {
      setApplyError(e as Error);
    } finally {
      setApplying(false);
    }
  };

  const running = !!progress.job && !isTagFixJobFinished(progress.job);
  return (
    <InfoCard
      title="Suggested fixes"
      subheader="Fix the tags of many resources at once: preview first, nothing is written until you apply"
    >
      <Box display="flex" flexDirection="column" gridGap={16}>
        <Box display="flex" flexWrap="wrap" alignItems="flex-end" gridGap={16}>
          <FixSelectionFields
            selection={selection}
            onChange={choose}
            subscriptions={subscriptionList}
            policies={policies}
          />
          <Button
            variant="outlined"
            color="primary"
            disabled={previewing || running}
            onClick={runPreview}
          >
            Preview
          </Button>
          <Button
            variant="contained"
            color="primary"
            disabled={!preview || preview.resources === 0 || running}
            onClick={() => {
              setApplyError(undefined);
              setConfirming(true);
            }}
          >
            Apply…
          </Button>
        </Box>
        {previewError && (
          <InlineError
            title="Could not preview the fixes"
            error={previewError}
          />
        )}
        {previewing && (
          <Typography variant="body2" color="textSecondary">
            Working out the fixes…
          </Typography>
        )}
        {preview && (
          <FixPreview preview={preview} subscriptions={subscriptionList} />
        )}
        {progress.job && (
          <FixJobProgress job={progress.job} error={progress.error} />
        )}
      </Box>
      {confirming && preview && (
        <ApplyFixesDialog
          preview={preview}
          subscriptions={subscriptionList}
          applying={applying}
          error={applyError}
          onApply={apply}
          onClose={() => setConfirming(false)}
        />
      )}
    </InfoCard>
  );
}
