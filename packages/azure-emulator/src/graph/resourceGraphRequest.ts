import { ArmCall } from '../arm/ArmCall';
import { ArmError } from '../errors/ArmError';
import { SubscriptionState } from '../model/EmulatorState';
import { hasPermission } from '../rbac/accessCheck';

/**
 * Resource Graph's 400 for a query it cannot run: `BadRequest` with an `InvalidQuery` detail. The emulator answers so
 * for every query outside the few it understands.
 */
export function invalidQuery(query: string, why: string): ArmError {
  return new ArmError(
    400,
    'BadRequest',
    'Please provide below info when asking for support: timestamp, correlationId.',
    {
      details: [
        {
          code: 'InvalidQuery',
          message: `Query is invalid. ${why} (query: '${query}')`,
        },
      ],
    },
  );
}

/**
 * The subscriptions a query covers: those of the caller's tenant that the body names (all when it names none),
 * not Deleted, on which the caller has the action.
 */
export function readableSubscriptions(
  call: ArmCall,
  body: any,
  action: string,
): SubscriptionState[] {
  const { state } = call.context;
  const requested: string[] | undefined = Array.isArray(body?.subscriptions)
    ? body.subscriptions
    : undefined;
  return (
    [...state.subscriptions.values()]
      .filter(
        s => s.tenantId.toLowerCase() === call.caller.tenantId.toLowerCase(),
      )
      // A Deleted subscription: "No operations are available" (Learn, "Azure subscription states").
      .filter(s => s.state !== 'Deleted')
      .filter(
        s =>
          !requested ||
          requested.some(
            r =>
              typeof r === 'string' &&
              r.toLowerCase() === s.subscriptionId.toLowerCase(),
          ),
      )
      .filter(s =>
        hasPermission(
          state,
          call.caller,
          `/subscriptions/${s.subscriptionId}`,
          action,
        ),
      )
  );
}
