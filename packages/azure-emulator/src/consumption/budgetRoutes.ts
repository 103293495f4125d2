import { ArmCall } from '../arm/ArmCall';
import { requireSubscription } from '../arm/armScopes';
import { ArmError } from '../errors/ArmError';
import { EmulatorResponse, jsonResponse } from '../http/EmulatorHttp';
import { SubscriptionState } from '../model/EmulatorState';
import { requirePermission } from '../rbac/accessCheck';
import { budgetResource } from './budgets';

/** The action a budget read needs: Reader's read-everything and Cost Management Reader's Consumption reads allow it. */
const BUDGETS_READ = 'Microsoft.Consumption/budgets/read';

function readableSubscription(
  call: ArmCall,
  subscriptionId: string,
): SubscriptionState {
  const subscription = requireSubscription(call, subscriptionId);
  requirePermission(
    call.context.state,
    call.caller,
    `/subscriptions/${subscription.subscriptionId}`,
    BUDGETS_READ,
  );
  return subscription;
}

function parseSkipToken(token: string | null): number {
  if (token === null) return 0;
  const offset = Number(Buffer.from(token, 'base64url').toString('utf8'));
  if (!Number.isSafeInteger(offset) || offset < 0) {
    throw new ArmError(400, 'BadRequest', `Invalid $skiptoken '${token}'.`);
  }
  return offset;
}

/**
 * `GET /subscriptions/{s}/providers/Microsoft.Consumption/budgets` (operation `Budgets_List`, example
 * specification/consumption/resource-manager/Microsoft.Consumption/stable/2023-05-01/examples/BudgetsList.json):
 * `{ value, nextLink? }`, pageable with `nextLink` (`x-ms-pageable` in consumption.json), in pages of the emulator's
 * `resourcePageSize`.
 */
export function listBudgets(
  call: ArmCall,
  subscriptionId: string,
): EmulatorResponse {
  const subscription = readableSubscription(call, subscriptionId);
  const budgets = [...subscription.budgets.values()].sort((a, b) => {
    const x = a.name.toLowerCase();
    const y = b.name.toLowerCase();
    if (x < y) return -1;
    return x > y ? 1 : 0;
  });
  const token = call.request.url.searchParams.get('$skiptoken');
  const offset = parseSkipToken(token);
  const pageSize = call.context.settings.resourcePageSize;
  const page = budgets.slice(offset, offset + pageSize);
  const body: Record<string, unknown> = {
    value: page.map(budget =>
      budgetResource(call.context.costModel, subscription, budget),
    ),
  };
  if (offset + pageSize < budgets.length) {
    const apiVersion = encodeURIComponent(
      call.request.url.searchParams.get('api-version') ?? '2023-05-01',
    );
    const next = Buffer.from(String(offset + pageSize)).toString('base64url');
    body.nextLink = `${call.context.baseUrl}${call.request.path}?api-version=${apiVersion}&$skiptoken=${next}`;
  }
  return jsonResponse(200, body);
}

/**
 * `GET /subscriptions/{s}/providers/Microsoft.Consumption/budgets/{budgetName}` (operation `Budgets_Get`, example
 * specification/consumption/resource-manager/Microsoft.Consumption/stable/2023-05-01/examples/Budget.json). An
 * unknown budget is a 404 in ARM's error shape (consumption.json `ErrorResponse`).
 */
export function getBudget(
  call: ArmCall,
  subscriptionId: string,
  budgetName: string,
): EmulatorResponse {
  const subscription = readableSubscription(call, subscriptionId);
  const budget = subscription.budgets.get(budgetName.toLowerCase());
  if (!budget) {
    throw new ArmError(
      404,
      'NotFound',
      `The budget '${budgetName}' was not found in scope '/subscriptions/${subscription.subscriptionId}'.`,
    );
  }
  return jsonResponse(
    200,
    budgetResource(call.context.costModel, subscription, budget),
  );
}
