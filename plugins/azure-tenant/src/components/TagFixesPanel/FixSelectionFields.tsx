import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import Checkbox from '@material-ui/core/Checkbox';
import ListItemText from '@material-ui/core/ListItemText';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import {
  AzureSubscription,
  TagFixKind,
  TagFixSelection,
  TagPolicy,
} from '@azure-tenant/plugin-azure-tenant-common';
import { FIX_KIND_TEXT } from './fixText';

function MultiSelect(props: {
  id: string;
  label: string;
  allText: string;
  options: Array<{ value: string; text: string }>;
  value: string[];
  onChange: (value: string[]) => void;
}) {
  const { id, label, allText, options, value, onChange } = props;
  const textOf = (v: string) => options.find(o => o.value === v)?.text ?? v;
  return (
    <TextField
      id={id}
      select
      label={label}
      value={value}
      onChange={e => onChange(e.target.value as unknown as string[])}
      SelectProps={{
        multiple: true,
        displayEmpty: true,
        renderValue: selected => {
          const chosen = selected as string[];
          return chosen.length === 0 ? allText : chosen.map(textOf).join(', ');
        },
      }}
      InputLabelProps={{ shrink: true }}
      style={{ minWidth: 240, maxWidth: 420 }}
    >
      {options.map(option => (
        <MenuItem key={option.value} value={option.value}>
          <Checkbox checked={value.includes(option.value)} size="small" />
          <ListItemText primary={option.text} />
        </MenuItem>
      ))}
    </TextField>
  );
}

/** Picks which suggested fixes to preview and apply: subscriptions, policies and kinds; none picked means all. */
export function FixSelectionFields(props: {
  selection: TagFixSelection;
  onChange: (selection: TagFixSelection) => void;
  subscriptions?: AzureSubscription[];
  policies?: TagPolicy[];
}) {
  const { selection, onChange, subscriptions, policies } = props;
  const set = (changes: Partial<TagFixSelection>) => {
    const next: TagFixSelection = { ...selection, ...changes };
    // An empty list is left out: no choice means every one.
    for (const field of ['subscriptionIds', 'policyIds', 'kinds'] as const) {
      if (next[field]?.length === 0) delete next[field];
    }
    onChange(next);
  };
  return (
    <Box display="flex" flexWrap="wrap" gridGap={16}>
      <MultiSelect
        id="tag-fix-subscriptions"
        label="Subscriptions"
        allText="All subscriptions"
        options={(subscriptions ?? []).map(s => ({
          value: s.subscriptionId,
          text: s.displayName,
        }))}
        value={selection.subscriptionIds ?? []}
        onChange={subscriptionIds => set({ subscriptionIds })}
      />
      <MultiSelect
        id="tag-fix-policies"
        label="Policies"
        allText="All policies"
        options={(policies ?? []).map(p => ({ value: p.id, text: p.name }))}
        value={selection.policyIds ?? []}
        onChange={policyIds => set({ policyIds })}
      />
      <MultiSelect
        id="tag-fix-kinds"
        label="Fixes"
        allText="All kinds of fix"
        options={Object.entries(FIX_KIND_TEXT).map(([value, text]) => ({
          value,
          text,
        }))}
        value={selection.kinds ?? []}
        onChange={kinds => set({ kinds: kinds as TagFixKind[] })}
      />
      {selection.ownerRef && (
        <Chip
          label={`Owner: ${selection.ownerRef}`}
          onDelete={() => {
            const { ownerRef: _ownerRef, ...rest } = selection;
            onChange(rest);
          }}
          style={{ alignSelf: 'center' }}
        />
      )}
    </Box>
  );
}
