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
  const json = () => readJsonBody(request);

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
        }),
      });
    case 'PATCH tags':
      return jsonResponse(200, { tags: control.editTags(json()) });
    case 'POST resources':
      return jsonResponse(201, control.addResource(json()));
    case 'DELETE resources': {
      const id =
        request.url.searchParams.get('id') ??
        (request.body.length ? json().resourceId : undefined);
      if (!id)
        throw new ArmError(
          400,
          'MissingResourceId',
          "Pass the resource id as '?id=' or as 'resourceId' in the body.",
        );
      return control.deleteResource(id)
        ? { status: 204 }
        : jsonResponse(404, {
            error: {
              code: 'ResourceNotFound',
              message: `The Resource '${id}' was not found.`,
              details: [],
            },
          });
    }
    case 'POST consents': {
      const body = json();
      return jsonResponse(201, control.consent(body.tenantId, body.clientId));
    }
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
        }),
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
      throw new ArmError(
        404,
        'NotFound',
        `The control API has no route '${method} /_emulator/${route}'.`,
      );
  }
}
