import { ChangeActor } from '../model/ChangeLog';
import { ArmCall } from './ArmCall';

/**
 * Who made a change through ARM, in the Change Actor fields of Microsoft Learn's "Get resource changes": a user's
 * sign-in name or an application's id, with the request's correlation id. The client type is the product of the
 * caller's `User-Agent` (e.g. `azsdk-js-arm-resources/6.0.0`), the emulator's best guess at "which client made the
 * change".
 */
export function armChangeActor(call: ArmCall): ChangeActor {
  const userAgent = call.request.headers['user-agent'];
  const clientType =
    (typeof userAgent === 'string' ? userAgent.split(' ')[0] : '') ||
    'Unspecified';
  const isUser = call.caller.kind === 'user';
  return {
    changedBy: isUser
      ? call.caller.userPrincipalName ?? call.caller.objectId
      : call.caller.appId ?? call.caller.objectId,
    changedByType: isUser ? 'User' : 'Application',
    clientType,
    correlationId: call.request.requestId,
  };
}
