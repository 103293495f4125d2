import { FormEvent, useState } from 'react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Checkbox from '@material-ui/core/Checkbox';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import FormControl from '@material-ui/core/FormControl';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import FormGroup from '@material-ui/core/FormGroup';
import FormHelperText from '@material-ui/core/FormHelperText';
import FormLabel from '@material-ui/core/FormLabel';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { useApi } from '@backstage/core-plugin-api';
import {
  TagInheritance,
  TagPolicy,
} from '@azure-tenant/plugin-azure-tenant-common';
import { azureTenantApiRef } from '../../api';
import { InlineError } from '../InlineError';
import {
  TagPolicyDraft,
  TagPolicyProblems,
  ValuesKind,
  checkTagPolicyDraft,
  tagPolicyDraftOf,
} from './tagPolicyDraft';

/** Props of {@link TagPolicyDialog}. */
export interface TagPolicyDialogProps {
  /** The policy to edit; without it, the dialog creates a new policy. */
  policy?: TagPolicy;
  /** Receives the policy as the backend saved it. */
  onSaved: (policy: TagPolicy) => void;
  onClose: () => void;
}

/** The values rules, as the dialog names them. */
export const VALUES_KIND_TEXT: Record<ValuesKind, string> = {
  any: 'Any value',
  list: 'One of a list',
  pattern: 'Matches a pattern',
  'catalog-entity': 'A catalog group or user',
};

/** Where a resource takes a missing key from, as the dialog and the table name it. */
export const INHERITANCE_TEXT: Record<TagInheritance | '', string> = {
  '': 'Not inherited',
  'resource-group': 'From the resource group',
  subscription: 'From the subscription',
  'resource-group-then-subscription':
    'From the resource group, else the subscription',
};

/**
 * Creates or edits a tag policy: its name, key and aliases, whether the key is required, the values it allows, where
 * a missing key is inherited from, and which resources it applies to. Each field is checked as the user types (the key
 * and aliases with Azure's tag rules, the pattern by compiling it); the backend's own refusal is shown as it says it.
 */
export function TagPolicyDialog(props: TagPolicyDialogProps) {
  const { policy, onSaved, onClose } = props;
  const api = useApi(azureTenantApiRef);
  const [draft, setDraft] = useState<TagPolicyDraft>(() =>
    tagPolicyDraftOf(policy),
  );
  // A field's problem shows once the user has typed in it, and every problem once they try to save.
  const [touched, setTouched] = useState<Set<string>>(() => new Set());
  const [submitted, setSubmitted] = useState(false);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<Error>();

  const { input, problems: allProblems } = checkTagPolicyDraft(draft);
  const problem = (field: keyof TagPolicyProblems) =>
    submitted || touched.has(field) ? allProblems[field] : undefined;
  const update = (changes: Partial<TagPolicyDraft>) => {
    setDraft(current => ({ ...current, ...changes }));
    setTouched(current => new Set([...current, ...Object.keys(changes)]));
  };

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (!input) return;
    setSaving(true);
    setError(undefined);
    try {
      const saved = policy
        ? await api.updateTagPolicy(policy.id, input)
        : await api.createTagPolicy(input);
      onSaved(saved);
    } catch (e) {
      setError(e as Error);
    } finally {
      setSaving(false);
    }
  };

  const toggleEntityKind = (kind: 'group' | 'user', on: boolean) =>
    update({
      entityKinds: on
        ? [...draft.entityKinds.filter(k => k !== kind), kind]
        : draft.entityKinds.filter(k => k !== kind),
    });

  return (
    <Dialog
      open
      onClose={onClose}
      aria-labelledby="tag-policy-dialog-title"
      fullWidth
      maxWidth="sm"
    >
      <form noValidate onSubmit={save}>
        <DialogTitle id="tag-policy-dialog-title">
          {policy ? 'Edit tag policy' : 'Create tag policy'}
        </DialogTitle>
        <DialogContent>
          <TextField
            id="tag-policy-name"
            label="Name"
            value={draft.name}
            onChange={e => update({ name: e.target.value })}
            error={!!problem('name')}
            helperText={
              problem('name') ??
              'Shown with each violation, e.g. Owner is a catalog team'
            }
            fullWidth
            margin="dense"
          />
          <TextField
            id="tag-policy-description"
            label="Description"
            value={draft.description}
            onChange={e => update({ description: e.target.value })}
            fullWidth
            margin="dense"
          />
          <Box display="flex" gridGap={16}>
            <TextField
              id="tag-policy-key"
              label="Key"
              value={draft.key}
              onChange={e => update({ key: e.target.value })}
              error={!!problem('key')}
              helperText={
                problem('key') ?? 'In its canonical spelling, e.g. owner'
              }
              fullWidth
              margin="dense"
            />
            <TextField
              id="tag-policy-aliases"
              label="Aliases"
              value={draft.aliases}
              onChange={e => update({ aliases: e.target.value })}
              error={!!problem('aliases')}
              helperText={
                problem('aliases') ??
                'Other names of the key, comma-separated, e.g. owned-by, team'
              }
              fullWidth
              margin="dense"
            />
          </Box>
          <FormControlLabel
            control={
              <Checkbox
                checked={draft.required}
                onChange={e => update({ required: e.target.checked })}
                color="primary"
              />
            }
            label="Required on every resource in scope"
          />
          <TextField
            id="tag-policy-values-kind"
            select
            label="Values"
            value={draft.valuesKind}
            onChange={e => update({ valuesKind: e.target.value as ValuesKind })}
            SelectProps={{ native: true }}
            fullWidth
            margin="dense"
          >
            {Object.entries(VALUES_KIND_TEXT).map(([kind, text]) => (
              <option key={kind} value={kind}>
                {text}
              </option>
            ))}
          </TextField>
          {draft.valuesKind === 'list' && (
            <>
              <TextField
                id="tag-policy-values"
                label="Allowed values"
                value={draft.values}
                onChange={e => update({ values: e.target.value })}
                error={!!problem('values')}
                helperText={problem('values') ?? 'One value per line'}
                multiline
                minRows={3}
                fullWidth
                margin="dense"
              />
              <FormControlLabel
                control={
                  <Checkbox
                    checked={draft.caseSensitive}
                    onChange={e => update({ caseSensitive: e.target.checked })}
                    color="primary"
                  />
                }
                label="Case-sensitive (otherwise Prod matches prod, and the fix is the listed spelling)"
              />
            </>
          )}
          {draft.valuesKind === 'pattern' && (
            <TextField
              id="tag-policy-pattern"
              label="Pattern"
              value={draft.pattern}
              onChange={e => update({ pattern: e.target.value })}
              error={!!problem('pattern')}
              helperText={
                problem('pattern') ??
                'A regular expression (RE2: no lookarounds or backreferences) the whole value must match, e.g. cc-[0-9]{4}'
              }
              fullWidth
              margin="dense"
            />
          )}
          {draft.valuesKind === 'catalog-entity' && (
            <FormControl
              component="fieldset"
              error={!!problem('entityKinds')}
              margin="dense"
            >
              <FormLabel component="legend">The value names a</FormLabel>
              <FormGroup row>
                {(['group', 'user'] as const).map(kind => (
                  <FormControlLabel
                    key={kind}
                    control={
                      <Checkbox
                        checked={draft.entityKinds.includes(kind)}
                        onChange={e => toggleEntityKind(kind, e.target.checked)}
                        color="primary"
                      />
                    }
                    label={kind === 'group' ? 'Group' : 'User'}
                  />
                ))}
              </FormGroup>
              <FormHelperText>
                {problem('entityKinds') ??
                  'By name, display name or title, or a user’s email, as the catalog resolves owner tags'}
              </FormHelperText>
            </FormControl>
          )}
          <TextField
            id="tag-policy-inherit"
            select
            label="Inheritance"
            value={draft.inherit}
            onChange={e =>
              update({ inherit: e.target.value as TagInheritance | '' })
            }
            SelectProps={{ native: true }}
            helperText="Where a resource without the key should take it from"
            fullWidth
            margin="dense"
          >
            {Object.entries(INHERITANCE_TEXT).map(([inherit, text]) => (
              <option key={inherit} value={inherit}>
                {text}
              </option>
            ))}
          </TextField>
          <Typography variant="subtitle2" style={{ marginTop: 16 }}>
            Scope
          </Typography>
          <Typography variant="caption" color="textSecondary">
            Left empty, the policy applies to every resource of every connected
            subscription.
          </Typography>
          <TextField
            id="tag-policy-subscriptions"
            label="Subscription ids"
            value={draft.subscriptionIds}
            onChange={e => update({ subscriptionIds: e.target.value })}
            error={!!problem('subscriptionIds')}
            helperText={problem('subscriptionIds') ?? 'Comma-separated'}
            fullWidth
            margin="dense"
          />
          <TextField
            id="tag-policy-resource-groups"
            label="Resource group pattern"
            value={draft.resourceGroupPattern}
            onChange={e => update({ resourceGroupPattern: e.target.value })}
            helperText="The whole name, any case; * for any characters, ? for one, e.g. rg-prod-*"
            fullWidth
            margin="dense"
          />
          <TextField
            id="tag-policy-resource-types"
            label="Resource types"
            value={draft.resourceTypes}
            onChange={e => update({ resourceTypes: e.target.value })}
            error={!!problem('resourceTypes')}
            helperText={
              problem('resourceTypes') ??
              'Comma-separated, e.g. Microsoft.Compute/virtualMachines'
            }
            fullWidth
            margin="dense"
          />
          {error && (
            <InlineError
              title={
                policy
                  ? 'Could not save the policy'
                  : 'Could not create the policy'
              }
              error={error}
            />
          )}
        </DialogContent>
        <DialogActions>
          <Button onClick={onClose}>Cancel</Button>
          <Button
            type="submit"
            color="primary"
            variant="contained"
            disabled={saving}
          >
            {policy ? 'Save policy' : 'Create policy'}
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
