import { useMemo, useState } from 'react';
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
import { Entity } from '@backstage/catalog-model';
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
  LABEL_AZURE_TAG_COMPLIANCE,
  ResourceTagCompliance,
  TagComplianceStatus,
  isSyncMode,
} from '@azure-tenant/plugin-azure-tenant-common';
import { BulkTagUpdateResponse } from '../../api';
import { AzureAccessWarning } from '../AzureAccessWarning';
import { useResourceEntities } from '../../hooks/useResourceEntities';
import {
  SubscriptionResourceItem,
  useSubscriptionResources,
} from '../../hooks/useSubscriptionResources';
import { useSubscriptionViolations } from '../../hooks/useTagCompliance';
import { useTagPolicies } from '../../hooks/useTagPolicies';
import { InlineError } from '../InlineError';
import { TagChips } from '../TagChips';
import { TagEditor } from '../TagEditor';
import { TagViolationChips } from '../TagViolationChips';
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
  /** Absent for a resource that is no catalog entity (see the catalog module's `entities`), or not yet. */
  entity?: Entity;
  resourceId?: string;
  label: string;
  type: string;
  tags: ShownTags;
  /** Whether `tags` are unknown: a resource that breaks a policy, found neither in the catalog nor written here. */
  tagsUnknown?: boolean;
}

/** Which resources the table shows: all of them, those that break any policy, or those that break one policy. */
type PolicyFilter =
  | { kind: 'all' }
  | { kind: 'any' }
  | { kind: 'policy'; policyId: string };

const ANY_POLICY = '*';

/** A resource's compliance in the Policy column: its violations from the backend, else its catalog label. */
function complianceOf(
  row: ResourceRow,
  violating: Map<string, ResourceTagCompliance>,
  syncMode: string | undefined,
): { status?: TagComplianceStatus; compliance?: ResourceTagCompliance } {
  const found =
    row.resourceId && violating.get(row.resourceId.toLocaleLowerCase('en-US'));
  if (found) return { status: 'non-compliant', compliance: found };
  const label = row.entity?.metadata.labels?.[LABEL_AZURE_TAG_COMPLIANCE];
  if (label === 'unknown' || syncMode === 'no-tags')
    return { status: 'unknown' };
  // Evaluated, and not among the resources that break a policy now (the list is newer than the catalog's label).
  if (label === 'compliant' || label === 'non-compliant') {
    return { status: 'compliant' };
  }
  return {};
}

/**
 * The Tags tab of a subscription entity: its synced resources from the backend plugin (entities or not), linked to
 * their catalog entity when they have one, searchable by name and paged, with their tags, an
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
  const [policyFilter, setPolicyFilter] = useState<PolicyFilter>({
    kind: 'all',
  });
  const [violationPage, setViolationPage] = useState(0);
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
      setViolationPage(0);
    },
    SEARCH_DELAY_MS,
    [search],
  );

  const filtering = policyFilter.kind !== 'all';
  const catalogPage = useSubscriptionResources({
    // The pages are not read while the table shows the resources that break a policy.
    subscriptionId: filtering ? undefined : subscriptionId,
    term,
    cursor,
    pageSize: PAGE_SIZE,
  });
  const violations = useSubscriptionViolations(subscriptionId);
  const policies = useTagPolicies();

  // The resources that break the chosen policy (or any), matching the search, by name; a page of them at a time.
  const breaking = useMemo(() => {
    if (policyFilter.kind === 'all') return [];
    const wanted = term.trim().toLocaleLowerCase('en-US');
    return (violations.items ?? [])
      .filter(
        item =>
          policyFilter.kind === 'any' ||
          item.violations.some(v => v.policyId === policyFilter.policyId),
      )
      .filter(
        item =>
          !wanted || item.name.toLocaleLowerCase('en-US').includes(wanted),
      )
      .sort((a, b) => a.name.localeCompare(b.name));
  }, [violations.items, policyFilter, term]);
  // After a write fixed the resources of the last page, the page before it shows.
  const shownPage = Math.min(
    violationPage,
    Math.max(0, Math.ceil(breaking.length / PAGE_SIZE) - 1),
  );
  const breakingPage = breaking.slice(
    shownPage * PAGE_SIZE,
    (shownPage + 1) * PAGE_SIZE,
  );
  const breakingEntities = useResourceEntities(
    breakingPage.map(item => item.resourceId),
  );

  if (!subscriptionId) {
    return (
      <MissingAnnotationEmptyState
        annotation={ANNOTATION_AZURE_SUBSCRIPTION_ID}
      />
    );
  }

  const rowOf = (e: Entity): ResourceRow => {
    const resourceId = e.metadata.annotations?.[ANNOTATION_AZURE_RESOURCE_ID];
    const azure = (e.spec?.azure ?? {}) as Partial<AzureEntitySpec>;
    return {
      entity: e,
      resourceId,
      label: e.metadata.title ?? e.metadata.name,
      type: String(e.spec?.type ?? ''),
      tags: (resourceId && written[resourceId]) || {
        tags: azure.tags,
        portalTags: azure.portalTags,
      },
    };
  };
  const rowOfResource = ({
    resource,
    entity: found,
  }: SubscriptionResourceItem): ResourceRow => ({
    entity: found,
    resourceId: resource.resourceId,
    label: found?.metadata.title ?? resource.name,
    type: resource.type,
    // The backend's tags are the last sync's (or the last write's), as current as the catalog's or more.
    tags: written[resource.resourceId] ?? {
      tags: resource.tags,
      portalTags: resource.portalTags,
    },
  });
  const rows: ResourceRow[] = filtering
    ? breakingPage.map(item => {
        const found = breakingEntities.byResourceId.get(
          item.resourceId.toLocaleLowerCase('en-US'),
        );
        return found
          ? rowOf(found)
          : {
              resourceId: item.resourceId,
              label: item.name,
              type: item.type,
              tags: written[item.resourceId] ?? {},
              tagsUnknown: !written[item.resourceId],
            };
      })
    : catalogPage.items.map(rowOfResource);
  const page = filtering
    ? {
        loading:
          (violations.loading && !violations.items) || breakingEntities.loading,
        error: violations.error ?? breakingEntities.error,
        totalItems: violations.items ? breaking.length : undefined,
        hasPrev: shownPage > 0,
        hasNext: (shownPage + 1) * PAGE_SIZE < breaking.length,
        prev: () => setViolationPage(shownPage - 1),
        next: () => setViolationPage(shownPage + 1),
      }
    : {
        loading: catalogPage.loading,
        error: catalogPage.error,
        totalItems: undefined,
        hasPrev: !!catalogPage.prevCursor,
        hasNext: !!catalogPage.nextCursor,
        prev: () => setCursor(catalogPage.prevCursor),
        next: () => setCursor(catalogPage.nextCursor),
      };
  let filterValue = '';
  if (policyFilter.kind === 'any') filterValue = ANY_POLICY;
  else if (policyFilter.kind === 'policy') filterValue = policyFilter.policyId;
  const chooseFilter = (value: string) => {
    setViolationPage(0);
    setCursor(undefined);
    if (value === '') setPolicyFilter({ kind: 'all' });
    else if (value === ANY_POLICY) setPolicyFilter({ kind: 'any' });
    else setPolicyFilter({ kind: 'policy', policyId: value });
  };
  const policyName =
    policyFilter.kind === 'policy'
      ? policies.items?.find(p => p.id === policyFilter.policyId)?.name ??
        policyFilter.policyId
      : undefined;

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
    // Tags written may have fixed (or broken) a policy.
    violations.reload();
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
      render: row =>
        row.entity ? (
          <EntityRefLink entityRef={row.entity} title={row.label} />
        ) : (
          row.label
        ),
    },
    {
      title: 'Type',
      render: row => row.type,
    },
    {
      title: 'Tags',
      render: row => (
        <TagChips
          label={`Tags of ${row.label}`}
          tags={row.tags.tags}
          portalTags={row.tags.portalTags}
          emptyText={row.tagsUnknown ? 'Not in the catalog yet' : undefined}
        />
      ),
    },
    {
      title: 'Policy',
      render: row => {
        if (violations.loading && !violations.items) {
          return (
            <Typography variant="body2" color="textSecondary">
              Checking…
            </Typography>
          );
        }
        const { status: complianceStatus, compliance } = complianceOf(
          row,
          violations.byResourceId,
          syncMode,
        );
        return (
          <TagViolationChips
            status={complianceStatus}
            violations={compliance?.violations}
            label={`Policies ${row.label} breaks`}
          />
        );
      },
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
        <TextField
          select
          id="azure-tags-policy-filter"
          label="Show"
          value={filterValue}
          onChange={e => chooseFilter(e.target.value)}
          SelectProps={{ native: true }}
        >
          <option value="">All resources</option>
          <option value={ANY_POLICY}>Breaks a policy</option>
          {(policies.items ?? []).map(policy => (
            <option key={policy.id} value={policy.id}>
              Breaks: {policy.name}
            </option>
          ))}
        </TextField>
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
      {violations.error && !filtering && (
        <InlineError
          title="Could not load the tag compliance"
          error={violations.error}
        />
      )}
      {filtering && violations.truncated && (
        <Typography variant="body2" color="textSecondary">
          Showing the first 10,000 resources that break a policy.
        </Typography>
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
              {emptyText(term, policyFilter.kind, policyName)}
            </Typography>
          </Box>
        }
      />
      <Box display="flex" alignItems="center" mt={1} style={{ gap: 8 }}>
        {page.totalItems !== undefined && (
          <Typography variant="body2" color="textSecondary">
            {resourceCount(page.totalItems)}
            {filtering &&
              ` ${page.totalItems === 1 ? 'breaks' : 'break'} ${
                policyName ?? 'a policy'
              }`}
          </Typography>
        )}
        <Box flexGrow={1} />
        <Button disabled={!page.hasPrev || page.loading} onClick={page.prev}>
          Previous page
        </Button>
        <Button disabled={!page.hasNext || page.loading} onClick={page.next}>
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
                violations.reload();
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

/** What the table says when it has no row. */
function emptyText(
  term: string,
  filter: PolicyFilter['kind'],
  policyName: string | undefined,
): string {
  if (filter === 'all') {
    return term
      ? `No resource matches "${term}".`
      : 'No resources in this subscription.';
  }
  const breaks = policyName ? `breaks ${policyName}` : 'breaks a policy';
  return term
    ? `No resource that ${breaks} matches "${term}".`
    : `No resource ${breaks}.`;
}
