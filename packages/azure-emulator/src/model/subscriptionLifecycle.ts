import { ArmError } from '../errors/ArmError';
import { SubscriptionState } from './EmulatorState';

/**
 * What ARM lets through on a subscription in each state, after Microsoft Learn, "Azure subscription states"
 * (https://learn.microsoft.com/en-us/azure/cost-management-billing/manage/subscription-states):
 *
 * - `Enabled`, `Warned` and `PastDue`: the subscription is still active; every operation is available.
 * - `Disabled`: "Operations to create or update resources (PUT, PATCH) are disabled. Operations that take an action
 *   (POST) are also disabled. Your resources are still available, so you can retrieve or delete them (GET,
 *   DELETE)." ARM refuses with 409 `ReadOnlyDisabledSubscription`, in the words ARM uses.
 * - `Deleted`: "No operations are available": ARM no longer finds it (404 `SubscriptionNotFound`).
 */
export function checkSubscriptionLifecycle(
  subscription: SubscriptionState,
  method: string,
): void {
  if (subscription.state === 'Deleted') {
    throw subscriptionNotFound(subscription.subscriptionId);
  }
  if (
    subscription.state === 'Disabled' &&
    !['GET', 'HEAD', 'DELETE'].includes(method.toUpperCase())
  ) {
    throw new ArmError(
      409,
      'ReadOnlyDisabledSubscription',
      `The subscription '${subscription.subscriptionId}' is disabled and therefore marked as read only. You cannot perform any write actions on this subscription until it is re-enabled.`,
    );
  }
}

/** ARM's 404 for a subscription it does not know (or no longer knows). */
export function subscriptionNotFound(subscriptionId: string): ArmError {
  return new ArmError(
    404,
    'SubscriptionNotFound',
    `The subscription '${subscriptionId}' could not be found.`,
  );
}
