import { useState } from 'react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Chip from '@material-ui/core/Chip';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogContentText from '@material-ui/core/DialogContentText';
import DialogTitle from '@material-ui/core/DialogTitle';
import IconButton from '@material-ui/core/IconButton';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import AddIcon from '@material-ui/icons/Add';
import DeleteIcon from '@material-ui/icons/Delete';
import EditIcon from '@material-ui/icons/Edit';
import { Progress, Table, TableColumn } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  TagPolicy,
  azureTenantTagPolicyManagePermission,
} from '@azure-tenant/plugin-azure-tenant-common';
import { azureTenantApiRef } from '../../api';
import { BudgetListState } from '../../hooks/useBudgets';
import { InlineError } from '../InlineError';
import {
  INHERITANCE_TEXT,
  TagPolicyDialog,
  isDeclaredPolicy,
} from '../TagPolicyDialog';
import { policyScopeText, valuesRuleText } from './tagPolicyText';

/** Why a policy declared in app-config cannot be edited or deleted here. */
export const DECLARED_POLICY_REASON =
  'Declared in app-config (azureTenant.tagGovernance.policies); change it there';

interface TagPolicyRow {
  id: string;
  policy: TagPolicy;
  name: string;
  key: string;
  aliases: string;
  required: string;
  values: string;
  inherit: string;
  scope: string;
  source: string;
}

function DeletePolicyDialog(props: {
  policy: TagPolicy;
  onDeleted: () => void;
  onClose: () => void;
}) {
  const { policy, onDeleted, onClose } = props;
  const api = useApi(azureTenantApiRef);
  const [deleting, setDeleting] = useState(false);
  const [error, setError] = useState<Error>();
  const remove = async () => {
    setDeleting(true);
    setError(undefined);
    try {
      await api.deleteTagPolicy(policy.id);
      onDeleted();
    } catch (e) {
      setError(e as Error);
      setDeleting(false);
    }
  };
  return (
    <Dialog open onClose={onClose} aria-labelledby="delete-tag-policy-title">
      <DialogTitle id="delete-tag-policy-title">Delete tag policy</DialogTitle>
      <DialogContent>
        <DialogContentText>
          Delete the policy &ldquo;{policy.name}&rdquo;? Resources are no longer
          checked against it, and its violations go from the compliance figures.
        </DialogContentText>
        {error && (
          <InlineError title="Could not delete the policy" error={error} />
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Cancel</Button>
        <Button
          color="secondary"
          variant="contained"
          disabled={deleting}
          onClick={remove}
        >
          Delete
        </Button>
      </DialogActions>
    </Dialog>
  );
}

/**
 * Every tag policy, those declared in app-config (read-only here) and those made in the portal, with create, edit and
 * delete for those allowed `azure-tenant.tag-policy.manage`.
 */
export function TagPoliciesTable(props: {
  policies: BudgetListState<TagPolicy>;
  /** Called after a policy was created, changed or deleted (compliance is evaluated again at once). */
  onChanged: () => void;
}) {
  const { policies, onChanged } = props;
  const manage = usePermission({
    permission: azureTenantTagPolicyManagePermission,
  });
  const [dialog, setDialog] = useState<
    | { kind: 'create' }
    | { kind: 'edit'; policy: TagPolicy }
    | { kind: 'delete'; policy: TagPolicy }
  >();
  const close = () => setDialog(undefined);
  const changed = () => {
    setDialog(undefined);
    onChanged();
  };

  const columns: TableColumn<TagPolicyRow>[] = [
    {
      title: 'Name',
      field: 'name',
      highlight: true,
      // The widest column: names, descriptions and where a declared policy is changed.
      width: '26%',
      render: ({ policy }) => (
        <>
          <Typography variant="body2">{policy.name}</Typography>
          {policy.description && (
            <Typography variant="caption" color="textSecondary" component="p">
              {policy.description}
            </Typography>
          )}
          {/* Under the name rather than beside the buttons: the table keeps to the page's width at 1280 px. */}
          {isDeclaredPolicy(policy) && (
            <Typography variant="caption" color="textSecondary" component="p">
              {DECLARED_POLICY_REASON}
            </Typography>
          )}
        </>
      ),
    },
    { title: 'Key', field: 'key' },
    {
      title: 'Aliases',
      field: 'aliases',
      render: ({ aliases }) => aliases || '—',
    },
    { title: 'Required', field: 'required' },
    { title: 'Values', field: 'values' },
    { title: 'Inheritance', field: 'inherit' },
    { title: 'Scope', field: 'scope' },
    {
      title: 'Source',
      field: 'source',
      render: ({ policy }) => (
        <Chip
          size="small"
          label={isDeclaredPolicy(policy) ? 'Config' : 'Portal'}
          variant={isDeclaredPolicy(policy) ? 'outlined' : 'default'}
        />
      ),
    },
    {
      title: 'Actions',
      sorting: false,
      render: ({ policy }) => {
        const disabled = isDeclaredPolicy(policy) || !manage.allowed;
        // Icon buttons, so that the actions fit beside eight columns; a disabled button sits in a span for its tooltip.
        return (
          <Box display="flex" flexWrap="nowrap">
            <Tooltip title="Edit">
              <span>
                <IconButton
                  size="small"
                  disabled={disabled}
                  aria-label={`Edit ${policy.name}`}
                  onClick={() => setDialog({ kind: 'edit', policy })}
                >
                  <EditIcon fontSize="small" />
                </IconButton>
              </span>
            </Tooltip>
            <Tooltip title="Delete">
              <span>
                <IconButton
                  size="small"
                  disabled={disabled}
                  aria-label={`Delete ${policy.name}`}
                  onClick={() => setDialog({ kind: 'delete', policy })}
                >
                  <DeleteIcon fontSize="small" />
                </IconButton>
              </span>
            </Tooltip>
          </Box>
        );
      },
    },
  ];

  let body;
  if (policies.error) {
    body = (
      <InlineError
        title="Could not load the tag policies"
        error={policies.error}
      />
    );
  } else if (!policies.items) {
    body = <Progress />;
  } else {
    const rows = policies.items.map(
      (policy): TagPolicyRow => ({
        id: policy.id,
        policy,
        name: policy.name,
        key: policy.key,
        aliases: (policy.aliases ?? []).join(', '),
        required: policy.required ? 'Yes' : 'No',
        values: valuesRuleText(policy.values),
        inherit: INHERITANCE_TEXT[policy.inherit ?? ''],
        scope: policyScopeText(policy.scope),
        source: policy.source,
      }),
    );
    body = (
      <Table<TagPolicyRow>
        title="Tag policies"
        subtitle={
          manage.allowed
            ? 'The rules resources are checked against. Policies declared in app-config are read-only here.'
            : 'The rules resources are checked against. Only tag policy admins may change them.'
        }
        columns={columns}
        data={rows}
        options={{
          paging: rows.length > 20,
          pageSize: 20,
          search: rows.length > 5,
          padding: 'dense',
        }}
        emptyContent={
          <Typography variant="body2" style={{ padding: 16 }}>
            No tag policy yet. Declare them in app-config under
            azureTenant.tagGovernance.policies, or create one here.
          </Typography>
        }
      />
    );
  }

  return (
    <>
      {manage.allowed && (
        <Box display="flex" justifyContent="flex-end" mb={1}>
          <Button
            color="primary"
            variant="contained"
            startIcon={<AddIcon />}
            onClick={() => setDialog({ kind: 'create' })}
          >
            Create tag policy
          </Button>
        </Box>
      )}
      {body}
      {dialog?.kind === 'create' && (
        <TagPolicyDialog onSaved={changed} onClose={close} />
      )}
      {dialog?.kind === 'edit' && (
        <TagPolicyDialog
          policy={dialog.policy}
          onSaved={changed}
          onClose={close}
        />
      )}
      {dialog?.kind === 'delete' && (
        <DeletePolicyDialog
          policy={dialog.policy}
          onDeleted={changed}
          onClose={close}
        />
      )}
    </>
  );
}
