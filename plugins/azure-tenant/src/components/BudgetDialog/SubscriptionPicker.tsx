import TextField from '@material-ui/core/TextField';
import { AzureSubscription } from '@azure-tenant/plugin-azure-tenant-common';

/**
 * Picks a connected subscription by name. Without the list (the user may not read the subscriptions, or none is
 * connected), the subscription id is typed instead.
 */
export function SubscriptionPicker(props: {
  id: string;
  label: string;
  value: string;
  onChange: (subscriptionId: string) => void;
  subscriptions?: AzureSubscription[];
  error?: string;
  helperText?: string;
}) {
  const { id, label, value, onChange, subscriptions, error, helperText } =
    props;
  if (!subscriptions || subscriptions.length === 0) {
    return (
      <TextField
        id={id}
        label={label}
        value={value}
        onChange={e => onChange(e.target.value)}
        error={!!error}
        helperText={error ?? helperText ?? 'The subscription id'}
        fullWidth
        margin="dense"
      />
    );
  }
  // A budget's subscription may no longer be connected; it stays pickable rather than silently changing.
  const known = subscriptions.some(s => s.subscriptionId === value);
  return (
    <TextField
      id={id}
      select
      label={label}
      value={value}
      onChange={e => onChange(e.target.value)}
      SelectProps={{ native: true }}
      InputLabelProps={{ shrink: true }}
      error={!!error}
      helperText={error ?? helperText}
      fullWidth
      margin="dense"
    >
      <option value="">Pick a subscription</option>
      {value && !known && <option value={value}>{value}</option>}
      {subscriptions.map(subscription => (
        <option
          key={subscription.subscriptionId}
          value={subscription.subscriptionId}
        >
          {subscription.displayName} ({subscription.subscriptionId})
        </option>
      ))}
    </TextField>
  );
}
