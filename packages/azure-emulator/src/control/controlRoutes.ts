import { ArmError } from '../errors/ArmError';
import {
  EmulatorRequest,
  EmulatorResponse,
  jsonResponse,
  readJsonBody,
} from '../http/EmulatorHttp';
import { EmulatorControl } from './EmulatorControl';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/**
 * The control API under `/_emulator/` (loopback only). Every route wraps a method of
 * {@link EmulatorControl}; see the package README for the list.
 */
export function handleControlRequest(
  control: EmulatorControl,
  request: EmulatorRequest,
): EmulatorResponse {
  if (!LOOPBACK.has(request.remoteAddress)) {
    throw new ArmError(
      403,
      'Forbidden',
      'The control API only answers requests from the loopback interface.',
    );
  }
  const route = request.path.replace(/^\/_emulator\/?/, '').replace(/\/+$/, '');
  const method = request.method;
  const segments = route.split('/');
  const json = () => jsonObject(request);

  switch (`${method} ${segments[0]}`) {
    case 'GET health':
      return jsonResponse(200, { status: 'ok' });
    case 'GET state':
      return jsonResponse(200, control.summary());
    case 'GET faults':
      return jsonResponse(200, { value: control.listFaults() });
    case 'POST faults':
      try {
        return jsonResponse(201, control.injectFault(json()));
      } catch (error) {
        if (error instanceof ArmError) throw error;
        throw new ArmError(400, 'InvalidFault', (error as Error).message, {
          cause: error,
        });
      }
    case 'DELETE faults':
      control.clearFaults(segments[1]);
      return { status: 204 };
    case 'GET requests':
      return jsonResponse(200, {
        value: control.requests(
          Number(request.url.searchParams.get('since') ?? 0),
        ),
      });
    case 'DELETE requests':
      control.clearRequests();
      return { status: 204 };
    case 'GET tags': {
      const id = request.url.searchParams.get('resourceId');
      if (!id)
        throw new ArmError(
          400,
          'MissingResourceId',
          "Pass the resource id as '?resourceId='.",
        );
      return jsonResponse(200, { tags: control.getTags(id) });
    }
    case 'GET role-assignments':
      return jsonResponse(200, {
        value: control.listRoleAssignments({
          principalId: request.url.searchParams.get('principalId') ?? undefined,
          scope: request.url.searchParams.get('scope') ?? undefined,
          role: request.url.searchParams.get('role') ?? undefined,
        }),
      });
    case 'PATCH tags':
      return jsonResponse(200, { tags: control.editTags(json()) });
    case 'POST resources':
      return jsonResponse(201, control.addResource(json()));
    case 'DELETE resources': {
      const body = request.body.length ? json() : {};
      const id = request.url.searchParams.get('id') ?? body.resourceId;
      if (!id)
        throw new ArmError(
          400,
          'MissingResourceId',
          "Pass the resource id as '?id=' or as 'resourceId' in the body.",
        );
      const omitFromChangeFeed =
        request.url.searchParams.get('omitFromChangeFeed') === 'true' ||
        body.omitFromChangeFeed === true;
      return control.deleteResource(id, { omitFromChangeFeed })
        ? { status: 204 }
        : jsonResponse(404, {
            error: {
              code: 'ResourceNotFound',
              message: `The Resource '${id}' was not found.`,
              details: [],
            },
          });
    }
    case 'DELETE resource-groups': {
      const subscriptionId = request.url.searchParams.get('subscriptionId');
      const name = request.url.searchParams.get('name');
      if (!subscriptionId || !name)
        throw new ArmError(
          400,
          'MissingResourceGroup',
          "Pass the resource group as '?subscriptionId=' and '&name='.",
        );
      const deleted = control.deleteResourceGroup(subscriptionId, name, {
        omitFromChangeFeed:
          request.url.searchParams.get('omitFromChangeFeed') === 'true',
      });
      return deleted
        ? jsonResponse(200, deleted)
        : jsonResponse(404, {
            error: {
              code: 'ResourceGroupNotFound',
              message: `Resource group '${name}' could not be found.`,
              details: [],
            },
          });
    }
    case 'POST consents': {
      const body = json();
      return jsonResponse(201, control.consent(body.tenantId, body.clientId));
    }
    case 'GET service-principals': {
      const summary = control.summary();
      return jsonResponse(200, {
        value: summary.servicePrincipals,
        deleted: summary.deletedServicePrincipals,
      });
    }
    case 'DELETE service-principals': {
      const { tenantId, clientId } = servicePrincipalKey(request, {});
      return jsonResponse(
        200,
        control.deleteServicePrincipal(tenantId, clientId),
      );
    }
    case 'PATCH service-principals': {
      const body = json();
      const { tenantId, clientId } = servicePrincipalKey(request, body);
      return jsonResponse(
        200,
        control.setServicePrincipalEnabled(
          tenantId,
          clientId,
          body.accountEnabled,
        ),
      );
    }
    case 'POST service-principals': {
      if (segments[1] !== 'restore') break;
      const body = request.body.length ? json() : {};
      const { tenantId, clientId } = servicePrincipalKey(request, body);
      return jsonResponse(
        200,
        control.restoreServicePrincipal(tenantId, clientId),
      );
    }
    case 'PUT subscriptions':
      if (segments.length === 3 && segments[2] === 'name') {
        return jsonResponse(
          200,
          control.renameSubscription(segments[1], json().displayName),
        );
      }
      if (segments.length !== 3 || segments[2] !== 'state') break;
      return jsonResponse(
        200,
        control.setSubscriptionState(segments[1], json().state),
      );
    case 'POST subscriptions':
      if (segments.length === 3 && segments[2] === 'budgets') {
        return jsonResponse(201, control.addBudget(segments[1], json()));
      }
      if (segments.length !== 3 || segments[2] !== 'move') break;
      return jsonResponse(
        200,
        control.moveSubscription(segments[1], json().tenantId),
      );
    case 'DELETE subscriptions':
      if (segments.length !== 4 || segments[2] !== 'budgets') break;
      return control.deleteBudget(segments[1], segments[3])
        ? { status: 204 }
        : jsonResponse(404, {
            error: {
              code: 'NotFound',
              message: `The budget '${segments[3]}' was not found.`,
              details: [],
            },
          });
    case 'GET cost-scenarios':
      return jsonResponse(200, { value: control.listCostScenarios() });
    case 'POST cost-scenarios':
      return jsonResponse(201, control.addCostScenario(json()));
    case 'DELETE cost-scenarios':
      control.removeCostScenarios(segments[1]);
      return { status: 204 };
    case 'PUT consent-decision':
      control.setConsentDecision(json().decision);
      return jsonResponse(200, { decision: json().decision });
    case 'DELETE role-assignments': {
      const principalId = request.url.searchParams.get('principalId');
      if (!principalId)
        throw new ArmError(
          400,
          'MissingPrincipalId',
          "Pass the principal as '?principalId='.",
        );
      return jsonResponse(200, {
        removed: control.removeRoleAssignments({
          principalId,
          scope: request.url.searchParams.get('scope') ?? undefined,
          role: request.url.searchParams.get('role') ?? undefined,
        }),
      });
    }
    case 'POST policy-assignments':
      return jsonResponse(201, control.assignPolicy(json()));
    case 'GET policy-assignments':
      return jsonResponse(200, {
        value: control.listPolicyAssignments({
          scope: request.url.searchParams.get('scope') ?? undefined,
        }),
      });
    case 'DELETE policy-assignments': {
      const id = request.url.searchParams.get('id');
      if (!id)
        throw new ArmError(
          400,
          'MissingPolicyAssignmentId',
          "Pass the policy assignment's id as '?id='.",
        );
      return control.removePolicyAssignment(id)
        ? { status: 204 }
        : jsonResponse(404, {
            error: {
              code: 'PolicyAssignmentNotFound',
              message: `The policy assignment '${id}' is not found.`,
              details: [],
            },
          });
    }
    case 'POST role-assignments':
      return jsonResponse(201, control.assignRole(json()));
    case 'PUT throttling':
      control.configureThrottling(json());
      return jsonResponse(200, control.summary().throttling);
    case 'POST clock':
      control.advanceClock(Number(json().advanceMs ?? 0));
      return { status: 204 };
    case 'POST reset':
      control.reset();
      return { status: 204 };
    default:
  }
  throw new ArmError(
    404,
    'NotFound',
    `The control API has no route '${method} /_emulator/${route}'.`,
  );
}

/** The JSON body, which must be an object: anything else is a 400, never a 500. */
function jsonObject(request: EmulatorRequest): any {
  const body = readJsonBody(request);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ArmError(
      400,
      'InvalidRequestContent',
      'The request content must be a JSON object.',
    );
  }
  return body;
}

/** `tenantId` and `clientId` of a service principal, from the query string or the JSON body. */
function servicePrincipalKey(
  request: EmulatorRequest,
  body: Record<string, unknown>,
): { tenantId: string; clientId: string } {
  const pick = (name: string) => {
    const value = request.url.searchParams.get(name) ?? body[name];
    if (typeof value !== 'string' || !value) {
      throw new ArmError(
        400,
        'MissingServicePrincipal',
        `Pass '${name}' in the query string or the JSON body.`,
      );
    }
    return value;
  };
  return { tenantId: pick('tenantId'), clientId: pick('clientId') };
}
