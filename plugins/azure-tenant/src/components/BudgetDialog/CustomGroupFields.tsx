import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import FormHelperText from '@material-ui/core/FormHelperText';
import IconButton from '@material-ui/core/IconButton';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import DeleteIcon from '@material-ui/icons/Delete';
import { AzureSubscription } from '@azure-tenant/plugin-azure-tenant-common';
import { BudgetDraft, BudgetDraftProblems } from './budgetDraft';
import { SubscriptionPicker } from './SubscriptionPicker';

/** A titled list of rows with a remove button each and an add button below. */
function MemberList(props: {
  title: string;
  addLabel: string;
  onAdd: () => void;
  error?: string;
  children: React.ReactNode;
}) {
  return (
    <Box component="fieldset" border={0} p={0} m={0} mt={2}>
      <Typography component="legend" variant="subtitle2">
        {props.title}
      </Typography>
      {props.children}
      {props.error && <FormHelperText error>{props.error}</FormHelperText>}
      <Button size="small" onClick={props.onAdd}>
        {props.addLabel}
      </Button>
    </Box>
  );
}

function RemoveButton(props: { label: string; onClick: () => void }) {
  return (
    <IconButton aria-label={props.label} size="small" onClick={props.onClick}>
      <DeleteIcon fontSize="small" />
    </IconButton>
  );
}

/**
 * The fields of a custom group: its name and its members, subscriptions, resource groups and tag filters. Its spend
 * is the union of what the members cover.
 */
export function CustomGroupFields(props: {
  draft: BudgetDraft;
  onChange: (changes: Partial<BudgetDraft>) => void;
  subscriptions?: AzureSubscription[];
  problems: BudgetDraftProblems;
}) {
  const { draft, onChange, subscriptions, problems } = props;
  const without = <T,>(items: T[], index: number) =>
    items.filter((_, i) => i !== index);
  const replaced = <T,>(items: T[], index: number, item: T) =>
    items.map((existing, i) => (i === index ? item : existing));

  return (
    <>
      <TextField
        id="budget-group-name"
        label="Group name"
        value={draft.groupName}
        onChange={e => onChange({ groupName: e.target.value })}
        error={!!problems.groupName}
        helperText={problems.groupName ?? 'e.g. Data platform'}
        fullWidth
        margin="dense"
      />
      <MemberList
        title="Subscriptions"
        addLabel="Add subscription"
        onAdd={() =>
          onChange({
            groupSubscriptionIds: [...draft.groupSubscriptionIds, ''],
          })
        }
        error={problems.groupMembers}
      >
        {draft.groupSubscriptionIds.map((subscriptionId, index) => (
          <Box key={index} display="flex" alignItems="center">
            <SubscriptionPicker
              id={`budget-group-subscription-${index + 1}`}
              label={`Subscription ${index + 1}`}
              value={subscriptionId}
              subscriptions={subscriptions}
              onChange={value =>
                onChange({
                  groupSubscriptionIds: replaced(
                    draft.groupSubscriptionIds,
                    index,
                    value,
                  ),
                })
              }
            />
            <RemoveButton
              label={`Remove subscription ${index + 1}`}
              onClick={() =>
                onChange({
                  groupSubscriptionIds: without(
                    draft.groupSubscriptionIds,
                    index,
                  ),
                })
              }
            />
          </Box>
        ))}
      </MemberList>
      <MemberList
        title="Resource groups"
        addLabel="Add resource group"
        onAdd={() =>
          onChange({
            groupResourceGroups: [
              ...draft.groupResourceGroups,
              { subscriptionId: '', resourceGroup: '' },
            ],
          })
        }
        error={problems.groupResourceGroups}
      >
        {draft.groupResourceGroups.map((member, index) => (
          <Box key={index} display="flex" alignItems="center" gridGap={8}>
            <SubscriptionPicker
              id={`budget-group-rg-${index + 1}-subscription`}
              label={`Subscription of resource group ${index + 1}`}
              value={member.subscriptionId}
              subscriptions={subscriptions}
              onChange={subscriptionId =>
                onChange({
                  groupResourceGroups: replaced(
                    draft.groupResourceGroups,
                    index,
                    { ...member, subscriptionId },
                  ),
                })
              }
            />
            <TextField
              id={`budget-group-rg-${index + 1}-name`}
              label={`Resource group ${index + 1}`}
              value={member.resourceGroup}
              onChange={e =>
                onChange({
                  groupResourceGroups: replaced(
                    draft.groupResourceGroups,
                    index,
                    { ...member, resourceGroup: e.target.value },
                  ),
                })
              }
              fullWidth
              margin="dense"
            />
            <RemoveButton
              label={`Remove resource group ${index + 1}`}
              onClick={() =>
                onChange({
                  groupResourceGroups: without(
                    draft.groupResourceGroups,
                    index,
                  ),
                })
              }
            />
          </Box>
        ))}
      </MemberList>
      <MemberList
        title="Tag filters"
        addLabel="Add tag filter"
        onAdd={() =>
          onChange({ groupTags: [...draft.groupTags, { key: '', value: '' }] })
        }
        error={problems.groupTags}
      >
        <Typography variant="caption" color="textSecondary" component="p">
          Resources of the connected subscriptions with this tag; without a
          value, any resource that has the tag.
        </Typography>
        {draft.groupTags.map((tag, index) => (
          <Box key={index} display="flex" alignItems="center" gridGap={8}>
            <TextField
              id={`budget-group-tag-${index + 1}-key`}
              label={`Tag ${index + 1} name`}
              value={tag.key}
              onChange={e =>
                onChange({
                  groupTags: replaced(draft.groupTags, index, {
                    ...tag,
                    key: e.target.value,
                  }),
                })
              }
              margin="dense"
            />
            <TextField
              id={`budget-group-tag-${index + 1}-value`}
              label={`Tag ${index + 1} value`}
              value={tag.value}
              onChange={e =>
                onChange({
                  groupTags: replaced(draft.groupTags, index, {
                    ...tag,
                    value: e.target.value,
                  }),
                })
              }
              margin="dense"
            />
            <RemoveButton
              label={`Remove tag filter ${index + 1}`}
              onClick={() =>
                onChange({ groupTags: without(draft.groupTags, index) })
              }
            />
          </Box>
        ))}
      </MemberList>
    </>
  );
}
