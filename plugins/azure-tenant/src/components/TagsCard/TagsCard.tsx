import { useState } from 'react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import { InfoCard } from '@backstage/core-components';
import {
  MissingAnnotationEmptyState,
  useEntity,
} from '@backstage/plugin-catalog-react';
import {
  ANNOTATION_AZURE_RESOURCE_ID,
  AzureEntitySpec,
  TagUpdateResult,
} from '@azure-tenant/plugin-azure-tenant-common';
import { useResourceTags } from '../../hooks/useResourceTags';
import { StaleDataNotice } from '../AccessStatus';
import { TagChips } from '../TagChips';
import { TagEditor } from '../TagEditor';
import { savedMessage } from '../TagsContent/tagOutcome';

/**
 * The tags of an Azure resource entity, Azure's and the portal-only ones apart, with an editor. Shows the tags the
 * catalog has, or the backend's answer after a save until the entity is refreshed, and says why they may be stale
 * while the portal has lost access to the resource's subscription.
 */
export function TagsCard() {
  const { entity } = useEntity();
  const resourceId =
    entity.metadata.annotations?.[ANNOTATION_AZURE_RESOURCE_ID];
  const azure = (entity.spec?.azure ?? {}) as Partial<AzureEntitySpec>;
  const [editing, setEditing] = useState(false);
  const [saved, setSaved] = useState<TagUpdateResult>();
  // Read for whether the tags are stale (the portal lost access); the tags shown stay the catalog's.
  const stored = useResourceTags(editing ? undefined : resourceId);
  const staleness = stored.value?.staleness;
  const tags = saved ? saved.tags : azure.tags;
  const portalTags = saved ? saved.portalTags : azure.portalTags;
  const hasPortalTags = Object.keys(portalTags ?? {}).length > 0;

  if (!resourceId) {
    return (
      <InfoCard title="Tags">
        <MissingAnnotationEmptyState
          annotation={ANNOTATION_AZURE_RESOURCE_ID}
        />
      </InfoCard>
    );
  }

  return (
    <InfoCard title="Tags">
      {editing ? (
        <TagEditor
          resourceId={resourceId}
          onSaved={result => {
            setSaved(result);
            setEditing(false);
          }}
          onCancel={() => setEditing(false)}
        />
      ) : (
        <>
          {staleness && (
            <Box mb={2}>
              <StaleDataNotice staleness={staleness} what="tags" compact />
            </Box>
          )}
          <section aria-label="Azure tags">
            <Typography variant="overline" color="textSecondary">
              Azure tags
            </Typography>
            <TagChips
              label="Azure tags"
              tags={tags}
              emptyText={
                azure.tags === undefined && !saved
                  ? 'No tags are synchronized for this resource'
                  : 'No tags'
              }
            />
          </section>
          {hasPortalTags && (
            <Box component="section" aria-label="Portal-only tags" mt={2}>
              <Typography variant="overline" color="textSecondary">
                Portal-only tags (not in Azure)
              </Typography>
              <TagChips label="Portal-only tags" portalTags={portalTags} />
            </Box>
          )}
          {saved && (
            <Typography role="status" variant="body2">
              {savedMessage(saved)}
            </Typography>
          )}
          <Box mt={2}>
            <Button variant="outlined" onClick={() => setEditing(true)}>
              Edit tags
            </Button>
          </Box>
        </>
      )}
    </InfoCard>
  );
}
