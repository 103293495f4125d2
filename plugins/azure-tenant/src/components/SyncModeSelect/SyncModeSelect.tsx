import FormControl from '@material-ui/core/FormControl';
import FormHelperText from '@material-ui/core/FormHelperText';
import ListItemText from '@material-ui/core/ListItemText';
import MenuItem from '@material-ui/core/MenuItem';
import Select from '@material-ui/core/Select';
import Typography from '@material-ui/core/Typography';
import {
  SYNC_MODES,
  SYNC_MODE_DESCRIPTIONS,
  SyncMode,
  isSyncMode,
} from '@azure-tenant/plugin-azure-tenant-common';

/** Props of {@link SyncModeSelect}. */
export interface SyncModeSelectProps {
  /** Names the select for assistive technology, e.g. "Sync mode of Production". */
  label: string;
  value: SyncMode;
  onChange: (syncMode: SyncMode) => void;
  /** Shown as read-only text when the user may not change the mode. */
  editable: boolean;
  /** While a change is being saved. */
  saving?: boolean;
}

/** Chooses a subscription's sync mode, with the title and description of each mode. */
export function SyncModeSelect(props: SyncModeSelectProps) {
  const { label, value, onChange, editable, saving } = props;
  const { title, description } = SYNC_MODE_DESCRIPTIONS[value];

  if (!editable) {
    return (
      <>
        <Typography variant="body2">{title}</Typography>
        <Typography variant="caption" color="textSecondary">
          {description}
        </Typography>
      </>
    );
  }

  return (
    <FormControl size="small" disabled={saving} fullWidth>
      <Select
        value={value}
        inputProps={{ 'aria-label': label }}
        renderValue={selected =>
          isSyncMode(selected) ? SYNC_MODE_DESCRIPTIONS[selected].title : ''
        }
        onChange={event => {
          const next = event.target.value;
          if (isSyncMode(next) && next !== value) onChange(next);
        }}
      >
        {SYNC_MODES.map(mode => (
          <MenuItem key={mode} value={mode}>
            <ListItemText
              primary={SYNC_MODE_DESCRIPTIONS[mode].title}
              secondary={SYNC_MODE_DESCRIPTIONS[mode].description}
              secondaryTypographyProps={{ style: { whiteSpace: 'normal' } }}
            />
          </MenuItem>
        ))}
      </Select>
      <FormHelperText>{saving ? 'Saving…' : description}</FormHelperText>
    </FormControl>
  );
}
