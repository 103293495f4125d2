import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import {
  SYNC_MODE_DESCRIPTIONS,
  SyncMode,
} from '@azure-tenant/plugin-azure-tenant-common';

/** What each sync mode lets the portal do with tags. */
const SYNC_MODE_ALLOWS: Record<SyncMode, string> = {
  'read-write-tags': 'Tag edits here are written to Azure.',
  'read-tags':
    'Tag edits here stay in the portal as portal-only tags, marked "portal only", and are never written to Azure. Azure\'s own tags cannot be removed here.',
  'no-tags':
    'Tags are read-only here: no tags are synchronized, so there are none to edit. An admin can change the sync mode on the Azure tenants page.',
  none: 'Tags are read-only here: no resources are synchronized. An admin can change the sync mode on the Azure tenants page.',
};

/** The subscription's sync mode: its title, the seed's description of it, and what it allows on this tab. */
export function TagsSyncModeBanner(props: { syncMode: SyncMode }) {
  const { title, description } = SYNC_MODE_DESCRIPTIONS[props.syncMode];
  return (
    <Box component="section" aria-label="Sync mode" mb={2}>
      <Typography variant="h6">Sync mode: {title}</Typography>
      <Typography variant="body2" color="textSecondary">
        {description}
      </Typography>
      <Typography variant="body2">
        {SYNC_MODE_ALLOWS[props.syncMode]}
      </Typography>
    </Box>
  );
}
