import { randomUUID } from 'node:crypto';
import { Fault } from '../control/faults';
import { EmulatorContext } from '../EmulatorContext';
import { ArmError } from '../errors/ArmError';
import { EmulatorResponse, jsonResponse } from '../http/EmulatorHttp';
import { ArmCall } from './ArmCall';
import { requireSubscription } from './armScopes';

/**
 * The api-version of the polling URLs, as in the Tags spec's 202 example
 * (specification/resources/resource-manager/Microsoft.Resources/stable/2025-04-01/examples/PatchTagsResource.json).
 */
const OPERATION_API_VERSION = '2018-08-01';

type OperationStatus = 'InProgress' | 'Succeeded' | 'Failed';

/** A request ARM accepted with 202 and finishes later. */
interface AsyncOperation {
  id: string;
  subscriptionId: string;
  status: OperationStatus;
  /** Polls that still answer `InProgress`. */
  inProgressPolls: number;
  retryAfterSeconds: number;
  startTime: string;
  endTime?: string;
  /** Does the work; its answer is what `Location` returns once the operation is done. */
  complete: () => EmulatorResponse;
  result?: EmulatorResponse;
  error?: ArmError;
}

// Kept beside the context (not in EmulatorState), so a reset of the Azure-side state ends nothing in flight.
const operationsByContext = new WeakMap<
  EmulatorContext,
  Map<string, AsyncOperation>
>();

function operationsOf(context: EmulatorContext): Map<string, AsyncOperation> {
  let operations = operationsByContext.get(context);
  if (!operations) {
    operations = new Map();
    operationsByContext.set(context, operations);
  }
  return operations;
}

function statusUrl(context: EmulatorContext, operation: AsyncOperation) {
  return `${context.baseUrl}/subscriptions/${operation.subscriptionId}/providers/Microsoft.Resources/operationStatuses/${operation.id}?api-version=${OPERATION_API_VERSION}`;
}

function resultUrl(context: EmulatorContext, operation: AsyncOperation) {
  return `${context.baseUrl}/subscriptions/${operation.subscriptionId}/operationresults/${operation.id}?api-version=${OPERATION_API_VERSION}`;
}

/**
 * Accepts a validated request as a long-running operation, as ARM's async pattern does: 202 with
 * `Azure-AsyncOperation` (the status resource), `Location` (the result) and `Retry-After`. `complete` runs when a
 * poll finds the operation done, after `fault.asyncOperation.inProgressPolls` polls answered `InProgress`.
 */
export function acceptAsyncOperation(
  call: ArmCall,
  subscriptionId: string,
  fault: Fault,
  complete: () => EmulatorResponse,
): EmulatorResponse {
  const operation: AsyncOperation = {
    id: randomUUID(),
    subscriptionId,
    status: 'InProgress',
    inProgressPolls: Math.max(0, fault.asyncOperation?.inProgressPolls ?? 1),
    retryAfterSeconds: Math.max(0, fault.retryAfterSeconds ?? 1),
    startTime: new Date(call.context.clock.now()).toISOString(),
    complete,
  };
  operationsOf(call.context).set(operation.id, operation);
  return {
    status: 202,
    headers: {
      'azure-asyncoperation': statusUrl(call.context, operation),
      location: resultUrl(call.context, operation),
      'retry-after': String(operation.retryAfterSeconds),
    },
  };
}

/** Counts a poll: the operation stays `InProgress` for its polls, then does its work and ends. */
function poll(call: ArmCall, operation: AsyncOperation): void {
  if (operation.status !== 'InProgress') return;
  if (operation.inProgressPolls > 0) {
    operation.inProgressPolls -= 1;
    return;
  }
  try {
    operation.result = operation.complete();
    operation.status = 'Succeeded';
  } catch (error) {
    if (!(error instanceof ArmError)) throw error;
    operation.error = error;
    operation.status = 'Failed';
  }
  operation.endTime = new Date(call.context.clock.now()).toISOString();
}

function findOperation(
  call: ArmCall,
  subscriptionId: string,
  operationId: string,
): AsyncOperation {
  requireSubscription(call, subscriptionId);
  const operation = operationsOf(call.context).get(operationId.toLowerCase());
  if (
    !operation ||
    operation.subscriptionId.toLowerCase() !== subscriptionId.toLowerCase()
  ) {
    throw new ArmError(
      404,
      'OperationNotFound',
      `The operation '${operationId}' could not be found.`,
    );
  }
  return operation;
}

/**
 * `GET /subscriptions/{s}/providers/Microsoft.Resources/operationStatuses/{id}`: the status resource that
 * `Azure-AsyncOperation` names (`id`, `name`, `status`, `startTime`, `endTime`, `error`).
 */
export function getOperationStatus(
  call: ArmCall,
  subscriptionId: string,
  operationId: string,
): EmulatorResponse {
  const operation = findOperation(call, subscriptionId, operationId);
  poll(call, operation);
  const body = {
    id: `/subscriptions/${operation.subscriptionId}/providers/Microsoft.Resources/operationStatuses/${operation.id}`,
    name: operation.id,
    status: operation.status,
    startTime: operation.startTime,
    ...(operation.endTime ? { endTime: operation.endTime } : {}),
    ...(operation.error
      ? {
          error: {
            code: operation.error.code,
            message: operation.error.message,
          },
        }
      : {}),
  };
  const response = jsonResponse(200, body);
  if (operation.status === 'InProgress') {
    response.headers = {
      ...response.headers,
      'retry-after': String(operation.retryAfterSeconds),
    };
  }
  return response;
}

/**
 * `GET /subscriptions/{s}/operationresults/{id}`: what `Location` names. 202 while the operation runs; then the
 * operation's own answer (200 with the resource), or its error.
 */
export function getOperationResult(
  call: ArmCall,
  subscriptionId: string,
  operationId: string,
): EmulatorResponse {
  const operation = findOperation(call, subscriptionId, operationId);
  poll(call, operation);
  if (operation.status === 'InProgress') {
    return {
      status: 202,
      headers: {
        location: resultUrl(call.context, operation),
        'retry-after': String(operation.retryAfterSeconds),
      },
    };
  }
  if (operation.error) throw operation.error;
  return operation.result ?? { status: 204 };
}
