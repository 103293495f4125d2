import { useState } from 'react';
import useDebounce from 'react-use/esm/useDebounce';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Checkbox from '@material-ui/core/Checkbox';
import Dialog from '@material-ui/core/Dialog';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { Table, TableColumn } from '@backstage/core-components';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import {
  EntityRefLink,
  MissingAnnotationEmptyState,
  useEntity,
} from '@backstage/plugin-catalog-react';
import {
  ANNOTATION_AZURE_RESOURCE_ID,
  ANNOTATION_AZURE_SUBSCRIPTION_ID,
  ANNOTATION_AZURE_SYNC_MODE,
  AzureEntitySpec,
  isSyncMode,
} from '@azure-tenant/plugin-azure-tenant-common';
import { BulkTagUpdateResponse } from '../../api';
import { AzureAccessWarning } from '../AzureAccessWarning';
import { useSubscriptionResources } from '../../hooks/useSubscriptionResources';
import { InlineError } from '../InlineError';
import { TagChips } from '../TagChips';
import { TagEditor } from '../TagEditor';
import { BulkTagDialog } from './BulkTagDialog';
import { resourceCount } from './resourceCount';
import { savedMessage } from './tagOutcome';
import { TagsSyncModeBanner } from './TagsSyncModeBanner';

const PAGE_SIZE = 20;
const SEARCH_DELAY_MS = 300;

type ShownTags = {
  tags?: Record<string, string>;
  portalTags?: Record<string, string>;
};

interface ResourceRow {
  entity: Entity;
  resourceId?: string;
  label: string;
  tags: ShownTags;
}

/**
 * The Tags tab of a subscription entity: its resources from the catalog, searchable and paged, with their tags, an
 * editor per resource and a bulk edit of the selected ones. Says what the subscription's sync mode allows, and why
 * the tags may be stale while the portal has lost access to the subscription.
 */
export function TagsContent() {
  const { entity } = useEntity();
  const annotations = entity.metadata.annotations ?? {};
  const subscriptionId = annotations[ANNOTATION_AZURE_SUBSCRIPTION_ID];
  const syncMode = annotations[ANNOTATION_AZURE_SYNC_MODE];

  const [search, setSearch] = useState('');
  const [term, setTerm] = useState('');
  const [cursor, setCursor] = useState<string>();
  const [selected, setSelected] = useState<Map<string, string>>(new Map());
  const [editing, setEditing] = useState<ResourceRow>();
  const [bulkOpen, setBulkOpen] = useState(false);
  const [status, setStatus] = useState<string>();
  // What the backend answered after a write, by resource id, until the catalog has caught up.
  const [written, setWritten] = useState<Record<string, ShownTags>>({});

  useDebounce(
    () => {
      setTerm(search);
      setCursor(undefined);
    },
    SEARCH_DELAY_MS,
    [search],
  );

  const page = useSubscriptionResources({
    subscriptionId,
    subscriptionEntityRef: stringifyEntityRef(entity),
    term,
    cursor,
    pageSize: PAGE_SIZE,
  });

  if (!subscriptionId) {
    return (
      <MissingAnnotationEmptyState
        annotation={ANNOTATION_AZURE_SUBSCRIPTION_ID}
      />
    );
  }

  const rows: ResourceRow[] = page.items.map(e => {
    const resourceId = e.metadata.annotations?.[ANNOTATION_AZURE_RESOURCE_ID];
    const azure = (e.spec?.azure ?? {}) as Partial<AzureEntitySpec>;
    return {
      entity: e,
      resourceId,
      label: e.metadata.title ?? e.metadata.name,
      tags: (resourceId && written[resourceId]) || {
        tags: azure.tags,
        portalTags: azure.portalTags,
      },
    };
  });

  const toggle = (row: ResourceRow) =>
    setSelected(current => {
      const next = new Map(current);
      if (next.has(row.resourceId!)) next.delete(row.resourceId!);
      else next.set(row.resourceId!, row.label);
      return next;
    });

  const onBulkDone = (response: BulkTagUpdateResponse) => {
    const updates: Record<string, ShownTags> = {};
    for (const item of response.results) {
      if (item.status === 'succeeded' && item.result) {
        updates[item.resourceId] = {
          tags: item.result.tags,
          portalTags: item.result.portalTags,
        };
      }
    }
    setWritten(current => ({ ...current, ...updates }));
  };

  const columns: TableColumn<ResourceRow>[] = [
    {
      title: 'Select',
      width: '48px',
      render: row => (
        <Checkbox
          inputProps={{ 'aria-label': `Select ${row.label}` }}
          disabled={!row.resourceId}
          checked={!!row.resourceId && selected.has(row.resourceId)}
          onChange={() => toggle(row)}
        />
      ),
    },
    {
      title: 'Resource',
      render: row => <EntityRefLink entityRef={row.entity} title={row.label} />,
    },
    {
      title: 'Type',
      render: row => String(row.entity.spec?.type ?? ''),
    },
    {
      title: 'Tags',
      render: row => (
        <TagChips
          label={`Tags of ${row.label}`}
          tags={row.tags.tags}
          portalTags={row.tags.portalTags}
        />
      ),
    },
    {
      title: 'Actions',
      render: row =>
        row.resourceId ? (
          <Button
            size="small"
            variant="outlined"
            aria-label={`Edit tags of ${row.label}`}
            onClick={() => {
              setStatus(undefined);
              setEditing(row);
            }}
          >
            Edit tags
          </Button>
        ) : null,
    },
  ];

  return (
    <Box>
      <Box mb={2}>
        <AzureAccessWarning />
      </Box>
      {isSyncMode(syncMode) && <TagsSyncModeBanner syncMode={syncMode} />}
      <Box display="flex" alignItems="center" mb={2} style={{ gap: 16 }}>
        <TextField
          id="azure-tags-search"
          label="Search resources"
          type="search"
          value={search}
          onChange={e => setSearch(e.target.value)}
        />
        <Box flexGrow={1} />
        <Button
          variant="contained"
          color="primary"
          disabled={selected.size === 0}
          onClick={() => setBulkOpen(true)}
        >
          Bulk edit tags ({selected.size})
        </Button>
      </Box>
      {status && (
        <Typography role="status" variant="body2">
          {status}
        </Typography>
      )}
      {page.error && (
        <InlineError title="Could not load the resources" error={page.error} />
      )}
      <Table<ResourceRow>
        title="Resources"
        isLoading={page.loading}
        columns={columns}
        data={rows}
        options={{
          paging: false,
          search: false,
          sorting: false,
          padding: 'dense',
        }}
        emptyContent={
          <Box p={2}>
            <Typography variant="body2">
              {term
                ? `No resource matches "${term}".`
                : 'No resources in this subscription.'}
            </Typography>
          </Box>
        }
      />
      <Box display="flex" alignItems="center" mt={1} style={{ gap: 8 }}>
        {page.totalItems !== undefined && (
          <Typography variant="body2" color="textSecondary">
            {resourceCount(page.totalItems)}
          </Typography>
        )}
        <Box flexGrow={1} />
        <Button
          disabled={!page.prevCursor || page.loading}
          onClick={() => setCursor(page.prevCursor)}
        >
          Previous page
        </Button>
        <Button
          disabled={!page.nextCursor || page.loading}
          onClick={() => setCursor(page.nextCursor)}
        >
          Next page
        </Button>
      </Box>
      {editing?.resourceId && (
        <Dialog
          open
          fullWidth
          maxWidth="md"
          onClose={() => setEditing(undefined)}
          aria-labelledby="azure-tags-editor-title"
        >
          <DialogTitle id="azure-tags-editor-title">
            Edit tags of {editing.label}
          </DialogTitle>
          <DialogContent>
            <TagEditor
              resourceId={editing.resourceId}
              onSaved={result => {
                setWritten(current => ({
                  ...current,
                  [result.resourceId]: {
                    tags: result.tags,
                    portalTags: result.portalTags,
                  },
                  [editing.resourceId!]: {
                    tags: result.tags,
                    portalTags: result.portalTags,
                  },
                }));
                setStatus(`${editing.label}: ${savedMessage(result)}`);
                setEditing(undefined);
              }}
              onCancel={() => setEditing(undefined)}
            />
          </DialogContent>
        </Dialog>
      )}
      {bulkOpen && (
        <BulkTagDialog
          targets={[...selected].map(([resourceId, label]) => ({
            resourceId,
            label,
          }))}
          onDone={onBulkDone}
          onClose={() => setBulkOpen(false)}
        />
      )}
    </Box>
  );
}
