import { EmulatorContext } from '../EmulatorContext';
import { verifyJwt } from '../entra/accessTokens';
import { ArmError } from '../errors/ArmError';
import { EmulatorRequest } from '../http/EmulatorHttp';

/** Who is calling ARM, from the bearer token. */
export interface ArmCaller {
  objectId: string;
  tenantId: string;
  kind: 'user' | 'app';
  appId?: string;
  userPrincipalName?: string;
}

/** Audiences ARM accepts: the public cloud's and the emulator's own URL. */
function acceptedAudiences(context: EmulatorContext): Set<string> {
  return new Set(
    [
      'https://management.azure.com',
      'https://management.core.windows.net',
      context.baseUrl,
    ].flatMap(a => [a, `${a}/`]),
  );
}

/** Verifies the bearer token the way ARM does, or throws ARM's 401 errors. */
export async function authenticateArmCaller(
  context: EmulatorContext,
  request: EmulatorRequest,
): Promise<ArmCaller> {
  const header = request.headers.authorization;
  const challenge = (description: string) => ({
    'www-authenticate': `Bearer authorization_uri="${context.baseUrl}/organizations/oauth2/authorize", error="invalid_token", error_description="${description}"`,
  });
  if (!header) {
    throw new ArmError(
      401,
      'AuthenticationFailed',
      "Authentication failed. The 'Authorization' header is missing.",
      {
        headers: challenge(
          'The authentication failed because of missing Authorization header.',
        ),
      },
    );
  }
  if (!/^bearer /i.test(header)) {
    throw new ArmError(
      401,
      'AuthenticationFailedInvalidHeader',
      "Authentication failed. The 'Authorization' header is provided in an invalid format.",
      {
        headers: challenge(
          'The authentication scheme of Basic is not supported.',
        ),
      },
    );
  }
  const verification = await verifyJwt(
    context.signingKey,
    header.slice(7).trim(),
    context.clock.now(),
  );
  if (!verification.valid) {
    if (verification.reason === 'expired') {
      throw new ArmError(
        401,
        'ExpiredAuthenticationToken',
        'The access token expiry UTC time is earlier than current UTC time.',
        {
          headers: challenge('The access token has expired.'),
        },
      );
    }
    throw new ArmError(
      401,
      'InvalidAuthenticationToken',
      'The access token is invalid.',
      {
        headers: challenge('The access token is invalid.'),
      },
    );
  }
  const claims = verification.claims;
  if (!acceptedAudiences(context).has(String(claims.aud))) {
    throw new ArmError(
      401,
      'InvalidAuthenticationTokenAudience',
      `The access token has been obtained for wrong audience or resource '${claims.aud}'. It should exactly match with one of the allowed audiences 'https://management.core.windows.net/','https://management.core.windows.net','https://management.azure.com/','https://management.azure.com'.`,
      {
        headers: challenge(
          'The access token has been obtained for wrong audience.',
        ),
      },
    );
  }
  return {
    objectId: claims.oid,
    tenantId: claims.tid,
    kind:
      claims.idtyp === 'user' || typeof claims.scp === 'string'
        ? 'user'
        : 'app',
    appId: typeof claims.appid === 'string' ? claims.appid : undefined,
    userPrincipalName: typeof claims.upn === 'string' ? claims.upn : undefined,
  };
}
