import { ArmCaller } from '../arm/armAuthentication';
import { peekJwtClaims } from '../entra/accessTokens';
import { EmulatorRequest } from '../http/EmulatorHttp';

/** Who made a request, as far as the request log needs to know: the token's caller, or the client id of a sign-in. */
export function peekCaller(request: EmulatorRequest): {
  caller?: Partial<ArmCaller>;
  clientId: string | null;
} {
  const header = request.headers.authorization;
  let caller: Partial<ArmCaller> | undefined;
  if (header && /^bearer /i.test(header)) {
    const claims = peekJwtClaims(header.slice(7));
    if (claims) caller = { objectId: claims.oid, tenantId: claims.tid };
  }
  let clientId: string | null = null;
  if (
    request.path.toLowerCase().endsWith('/oauth2/v2.0/token') ||
    request.path.toLowerCase().endsWith('/authorize')
  ) {
    clientId =
      new URLSearchParams(request.body.toString('utf8')).get('client_id') ??
      request.url.searchParams.get('client_id');
  }
  return { caller, clientId };
}
