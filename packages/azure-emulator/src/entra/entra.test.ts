import { createHash, createPublicKey, randomBytes, verify } from 'node:crypto';
import { AuthorizationManagementClient } from '@azure/arm-authorization';
import {
  AuthorizationCodeCredential,
  ClientSecretCredential,
} from '@azure/identity';
import {
  emulatorClientOptions,
  emulatorCredentialOptions,
} from '../clientOptions';
import { DEMO_APP, DEMO_TENANT, DEMO_USER } from '../model/demoIdentities';
import { AzureEmulator } from '../startAzureEmulator';
import {
  appCredential,
  jwtClaims,
  rawRequest,
  startTestEmulator,
  staticTokenCredential,
} from '../__testUtils__/emulatorTestKit';
import { DEMO_SUBSCRIPTIONS } from '../model/demoIdentities';

const REDIRECT = DEMO_APP.redirectUris[0];
const PLATFORM_SUB = DEMO_SUBSCRIPTIONS.platform;
const DATA_SUB = DEMO_SUBSCRIPTIONS.dataEurope;

function pkcePair() {
  const verifier = randomBytes(32).toString('base64url');
  return {
    verifier,
    challenge: createHash('sha256').update(verifier).digest('base64url'),
  };
}

function authorizeQuery(extra: Record<string, string>): string {
  return new URLSearchParams({
    client_id: DEMO_APP.clientId,
    response_type: 'code',
    redirect_uri: REDIRECT,
    scope: 'https://management.azure.com/user_impersonation openid profile',
    state: 'xyz',
    ...extra,
  }).toString();
}

describe('Entra ID', () => {
  let emulator: AzureEmulator;

  beforeAll(async () => {
    emulator = await startTestEmulator();
  });
  afterAll(() => emulator.stop());
  beforeEach(() => emulator.control.reset());

  describe('GET /{tenant}/v2.0/.well-known/openid-configuration', () => {
    it('publishes the endpoints of the tenant, with the tenant as issuer', async () => {
      const res = await rawRequest(
        emulator,
        'GET',
        `/${DEMO_TENANT.id}/v2.0/.well-known/openid-configuration`,
      );
      expect(res.status).toBe(200);
      const doc = res.json();
      // Field names as in https://login.microsoftonline.com/{tenant}/v2.0/.well-known/openid-configuration
      expect(doc.issuer).toBe(`${emulator.url}/${DEMO_TENANT.id}/v2.0`);
      expect(doc.token_endpoint).toBe(
        `${emulator.url}/${DEMO_TENANT.id}/oauth2/v2.0/token`,
      );
      expect(doc.authorization_endpoint).toBe(
        `${emulator.url}/${DEMO_TENANT.id}/oauth2/v2.0/authorize`,
      );
      expect(doc.jwks_uri).toBe(
        `${emulator.url}/${DEMO_TENANT.id}/discovery/v2.0/keys`,
      );
      expect(doc.id_token_signing_alg_values_supported).toEqual(['RS256']);
      expect(doc.end_session_endpoint).toBeDefined();
    });

    it('uses a {tenantid} issuer template for /organizations', async () => {
      const res = await rawRequest(
        emulator,
        'GET',
        '/organizations/v2.0/.well-known/openid-configuration',
      );
      expect(res.json().issuer).toBe(`${emulator.url}/{tenantid}/v2.0`);
    });

    it('answers an unknown tenant with AADSTS90002', async () => {
      const res = await rawRequest(
        emulator,
        'GET',
        '/00000000-0000-0000-0000-00000000beef/v2.0/.well-known/openid-configuration',
      );
      expect(res.status).toBe(400);
      const body = res.json();
      expect(body.error).toBe('invalid_request');
      expect(body.error_codes).toEqual([90002]);
      expect(body.error_description).toMatch(/^AADSTS90002: Tenant/);
      for (const field of ['timestamp', 'trace_id', 'correlation_id'])
        expect(typeof body[field]).toBe('string');
    });
  });

  describe('POST /{tenant}/oauth2/v2.0/token (client credentials)', () => {
    it('refuses an app that has no service principal in the tenant with AADSTS7000229', async () => {
      const res = await rawRequest(
        emulator,
        'POST',
        `/${DEMO_TENANT.id}/oauth2/v2.0/token`,
        {
          form: {
            grant_type: 'client_credentials',
            client_id: DEMO_APP.clientId,
            client_secret: DEMO_APP.clientSecret,
            scope: 'https://management.azure.com/.default',
          },
        },
      );
      expect(res.status).toBe(401);
      expect(res.json()).toMatchObject({
        error: 'invalid_client',
        error_codes: [7000229],
      });
      await expect(
        appCredential(emulator).getToken(
          'https://management.azure.com/.default',
        ),
      ).rejects.toThrow(/AADSTS7000229/);
    });

    it('issues an RS256 app-only token that verifies against the JWKS once consented', async () => {
      const sp = emulator.control.consent(DEMO_TENANT.id, DEMO_APP.clientId);
      const token = await appCredential(emulator).getToken(
        'https://management.azure.com/.default',
      );
      const [header, payload, signature] = token!.token.split('.');
      const claims = jwtClaims(token!.token);
      expect(claims).toMatchObject({
        tid: DEMO_TENANT.id,
        oid: sp.objectId,
        aud: 'https://management.azure.com',
        iss: `${emulator.url}/${DEMO_TENANT.id}/v2.0`,
        roles: [],
        idtyp: 'app',
      });
      expect(sp.objectId).not.toBe(DEMO_APP.clientId);
      expect(claims.scp).toBeUndefined();
      expect(claims.exp - claims.iat).toBe(3600);

      const jwks = (
        await rawRequest(
          emulator,
          'GET',
          `/${DEMO_TENANT.id}/discovery/v2.0/keys`,
        )
      ).json();
      const kid = JSON.parse(Buffer.from(header, 'base64url').toString()).kid;
      const jwk = jwks.keys.find((k: any) => k.kid === kid);
      const key = createPublicKey({ key: jwk, format: 'jwk' });
      expect(
        verify(
          'sha256',
          Buffer.from(`${header}.${payload}`),
          key,
          Buffer.from(signature, 'base64url'),
        ),
      ).toBe(true);
    });

    it('rejects a wrong secret with AADSTS7000215', async () => {
      emulator.control.consent(DEMO_TENANT.id, DEMO_APP.clientId);
      const credential = new ClientSecretCredential(
        DEMO_TENANT.id,
        DEMO_APP.clientId,
        'wrong',
        emulatorCredentialOptions(emulator),
      );
      await expect(
        credential.getToken('https://management.azure.com/.default'),
      ).rejects.toThrow(/AADSTS7000215/);
    });
  });

  describe('authorization code flow with PKCE', () => {
    async function authorize(
      query: Record<string, string>,
      tenant = 'organizations',
    ) {
      return rawRequest(
        emulator,
        'GET',
        `/${tenant}/oauth2/v2.0/authorize?${authorizeQuery(query)}`,
      );
    }

    async function redeem(code: string, verifier: string) {
      return rawRequest(emulator, 'POST', '/organizations/oauth2/v2.0/token', {
        form: {
          grant_type: 'authorization_code',
          client_id: DEMO_APP.clientId,
          client_secret: DEMO_APP.clientSecret,
          code,
          redirect_uri: REDIRECT,
          code_verifier: verifier,
          scope:
            'https://management.azure.com/user_impersonation openid profile',
        },
      });
    }

    it('shows a sign-in page listing the users when there is no login_hint', async () => {
      const res = await authorize({});
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/text\/html/);
      expect(res.text).toContain('demo@contoso.example');
      expect(res.text).toContain('alice@contoso.example');
    });

    it('shows the consent page (Accept / Cancel) when the app is not consented', async () => {
      const res = await authorize({
        login_hint: DEMO_USER.userPrincipalName,
        prompt: 'consent',
      });
      expect(res.status).toBe(200);
      expect(res.text).toContain('value="accept"');
      expect(res.text).toContain('value="cancel"');
    });

    it('redeems a one-time code for a delegated token with scp, tid and oid', async () => {
      const { verifier, challenge } = pkcePair();
      const res = await authorize({
        login_hint: DEMO_USER.userPrincipalName,
        code_challenge: challenge,
        code_challenge_method: 'S256',
        prompt: 'consent',
        emulator_decision: 'accept',
      });
      expect(res.status).toBe(302);
      const location = new URL(String(res.headers.location));
      expect(`${location.origin}${location.pathname}`).toBe(REDIRECT);
      expect(location.searchParams.get('state')).toBe('xyz');
      const code = location.searchParams.get('code')!;
      // Accepting consent created the service principal in the user's tenant.
      expect(
        emulator.control.servicePrincipal(DEMO_TENANT.id, DEMO_APP.clientId),
      ).toBeDefined();

      const token = await redeem(code, verifier);
      expect(token.status).toBe(200);
      const body = token.json();
      expect(body.token_type).toBe('Bearer');
      expect(body.expires_in).toBe(3600);
      expect(body.refresh_token).toBeUndefined();
      const claims = jwtClaims(body.access_token);
      expect(claims).toMatchObject({
        tid: DEMO_TENANT.id,
        oid: DEMO_USER.oid,
        scp: 'user_impersonation',
        aud: 'https://management.azure.com',
        upn: DEMO_USER.userPrincipalName,
      });
      expect(claims.roles).toBeUndefined();
      expect(jwtClaims(body.id_token)).toMatchObject({
        aud: DEMO_APP.clientId,
        preferred_username: DEMO_USER.userPrincipalName,
      });

      const again = await redeem(code, verifier);
      expect(again.status).toBe(400);
      expect(again.json()).toMatchObject({
        error: 'invalid_grant',
        error_codes: [54005],
      });
    });

    it('skips the consent page once the app is consented in the user tenant', async () => {
      emulator.control.consent(DEMO_TENANT.id, DEMO_APP.clientId);
      const res = await authorize({ login_hint: DEMO_USER.userPrincipalName });
      expect(res.status).toBe(302);
      expect(
        new URL(String(res.headers.location)).searchParams.get('code'),
      ).toBeTruthy();
    });

    it('takes the tenant from the chosen user under /common', async () => {
      emulator.control.setConsentDecision('accept');
      const { verifier, challenge } = pkcePair();
      const res = await authorize(
        {
          login_hint: 'ALICE@contoso.example',
          code_challenge: challenge,
          code_challenge_method: 'S256',
        },
        'common',
      );
      const code = new URL(String(res.headers.location)).searchParams.get(
        'code',
      )!;
      const claims = jwtClaims(
        (await redeem(code, verifier)).json().access_token,
      );
      expect(claims.tid).toBe(DEMO_TENANT.id);
      expect(claims.upn).toBe('alice@contoso.example');
    });

    it("lets @azure/identity's AuthorizationCodeCredential (MSAL) redeem a code", async () => {
      emulator.control.setConsentDecision('accept');
      const res = await authorize({
        login_hint: DEMO_USER.userPrincipalName,
        scope:
          'https://management.azure.com/user_impersonation openid profile offline_access',
      });
      const code = new URL(String(res.headers.location)).searchParams.get(
        'code',
      )!;
      const credential = new AuthorizationCodeCredential(
        'organizations',
        DEMO_APP.clientId,
        DEMO_APP.clientSecret,
        code,
        REDIRECT,
        {
          ...emulatorCredentialOptions(emulator),
          additionallyAllowedTenants: ['*'],
        },
      );
      const token = await credential.getToken(
        'https://management.azure.com/user_impersonation',
      );
      expect(jwtClaims(token!.token)).toMatchObject({
        tid: DEMO_TENANT.id,
        oid: DEMO_USER.oid,
        scp: 'user_impersonation',
      });
    });

    it('issues a refresh token only when offline_access is asked for, at the authorize or the token endpoint', async () => {
      emulator.control.setConsentDecision('accept');
      const redeemWith = async (authorizeScope: string, tokenScope: string) => {
        const { verifier, challenge } = pkcePair();
        const res = await authorize({
          login_hint: DEMO_USER.userPrincipalName,
          code_challenge: challenge,
          code_challenge_method: 'S256',
          scope: authorizeScope,
        });
        const code = new URL(String(res.headers.location)).searchParams.get(
          'code',
        )!;
        const token = await rawRequest(
          emulator,
          'POST',
          '/organizations/oauth2/v2.0/token',
          {
            form: {
              grant_type: 'authorization_code',
              client_id: DEMO_APP.clientId,
              client_secret: DEMO_APP.clientSecret,
              code,
              redirect_uri: REDIRECT,
              code_verifier: verifier,
              scope: tokenScope,
            },
          },
        );
        expect(token.status).toBe(200);
        return token.json();
      };
      const arm = 'https://management.azure.com/user_impersonation';

      const without = await redeemWith(arm, `${arm} openid profile`);
      expect(without.access_token).toBeTruthy();
      expect(without).not.toHaveProperty('refresh_token');
      for (const [authorizeScope, tokenScope] of [
        [`${arm} offline_access`, arm],
        [arm, `${arm} openid profile offline_access`],
      ]) {
        const withOffline = await redeemWith(authorizeScope, tokenScope);
        expect(withOffline.refresh_token).toMatch(/^[\w-]{40,}$/);
      }
    });

    it('rejects a wrong code_verifier with AADSTS50148', async () => {
      emulator.control.setConsentDecision('accept');
      const { challenge } = pkcePair();
      const res = await authorize({
        login_hint: DEMO_USER.userPrincipalName,
        code_challenge: challenge,
        code_challenge_method: 'S256',
      });
      const code = new URL(String(res.headers.location)).searchParams.get(
        'code',
      )!;
      const token = await redeem(code, pkcePair().verifier);
      expect(token.status).toBe(400);
      expect(token.json()).toMatchObject({
        error: 'invalid_grant',
        error_codes: [50148],
      });
    });

    it('expires codes after 10 minutes with AADSTS70008', async () => {
      emulator.control.setConsentDecision('accept');
      const { verifier, challenge } = pkcePair();
      const res = await authorize({
        login_hint: DEMO_USER.userPrincipalName,
        code_challenge: challenge,
        code_challenge_method: 'S256',
      });
      const code = new URL(String(res.headers.location)).searchParams.get(
        'code',
      )!;
      emulator.control.advanceClock(10 * 60 * 1000 + 1000);
      const token = await redeem(code, verifier);
      expect(token.json()).toMatchObject({
        error: 'invalid_grant',
        error_codes: [70008],
      });
    });

    it('redirects with access_denied and AADSTS65004 when consent is cancelled', async () => {
      const res = await rawRequest(
        emulator,
        'POST',
        '/organizations/oauth2/v2.0/authorize',
        {
          form: Object.fromEntries(
            new URLSearchParams(
              authorizeQuery({
                login_hint: DEMO_USER.userPrincipalName,
                emulator_decision: 'cancel',
              }),
            ),
          ),
        },
      );
      expect(res.status).toBe(302);
      const location = new URL(String(res.headers.location));
      expect(location.searchParams.get('error')).toBe('access_denied');
      expect(location.searchParams.get('error_description')).toMatch(
        /^AADSTS65004/,
      );
      expect(location.searchParams.get('state')).toBe('xyz');
      expect(
        emulator.control.servicePrincipal(DEMO_TENANT.id, DEMO_APP.clientId),
      ).toBeUndefined();
    });

    it('refuses a redirect URI that is not registered', async () => {
      const res = await authorize({
        redirect_uri: 'https://evil.example/callback',
        login_hint: DEMO_USER.userPrincipalName,
      });
      expect(res.status).toBe(400);
      expect(res.text).toContain('AADSTS50011');
    });

    it('gives a delegated token that can assign roles with @azure/arm-authorization', async () => {
      emulator.control.setConsentDecision('accept');
      const { verifier, challenge } = pkcePair();
      const res = await authorize({
        login_hint: DEMO_USER.userPrincipalName,
        code_challenge: challenge,
        code_challenge_method: 'S256',
      });
      const code = new URL(String(res.headers.location)).searchParams.get(
        'code',
      )!;
      const accessToken = (await redeem(code, verifier)).json().access_token;
      const sp = emulator.control.servicePrincipal(
        DEMO_TENANT.id,
        DEMO_APP.clientId,
      )!;
      const client = new AuthorizationManagementClient(
        staticTokenCredential(accessToken),
        PLATFORM_SUB,
        emulatorClientOptions(emulator),
      );
      const created = await client.roleAssignments.create(
        `/subscriptions/${PLATFORM_SUB}`,
        '1f6b1c0e-9a4d-4c55-8f5b-0d9a5e2f7a11',
        {
          roleDefinitionId: `/subscriptions/${PLATFORM_SUB}/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7`,
          principalId: sp.objectId,
          principalType: 'ServicePrincipal',
        },
      );
      expect(created.principalId).toBe(sp.objectId);
      // The demo user is only Reader on the data subscription: no role assignment there.
      await expect(
        client.roleAssignments.create(
          `/subscriptions/${DATA_SUB}`,
          '2f6b1c0e-9a4d-4c55-8f5b-0d9a5e2f7a12',
          {
            roleDefinitionId: `/subscriptions/${DATA_SUB}/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7`,
            principalId: sp.objectId,
          },
        ),
      ).rejects.toMatchObject({ statusCode: 403, code: 'AuthorizationFailed' });
    });
  });

  describe('GET /{tenant}/v2.0/adminconsent', () => {
    it('creates the service principal in the signed-in user tenant and redirects with admin_consent=True', async () => {
      emulator.control.setConsentDecision('accept');
      const query = new URLSearchParams({
        client_id: DEMO_APP.clientId,
        redirect_uri: REDIRECT,
        state: 's1',
        scope: 'https://management.azure.com/.default',
        login_hint: DEMO_USER.userPrincipalName,
      });
      const res = await rawRequest(
        emulator,
        'GET',
        `/organizations/v2.0/adminconsent?${query}`,
      );
      expect(res.status).toBe(302);
      const location = new URL(String(res.headers.location));
      expect(location.searchParams.get('admin_consent')).toBe('True');
      expect(location.searchParams.get('tenant')).toBe(DEMO_TENANT.id);
      expect(location.searchParams.get('state')).toBe('s1');
      const sp = emulator.control.servicePrincipal(
        DEMO_TENANT.id,
        DEMO_APP.clientId,
      );
      expect(sp?.objectId).toMatch(/^[0-9a-f-]{36}$/);
      const token = await appCredential(emulator).getToken(
        'https://management.azure.com/.default',
      );
      expect(jwtClaims(token!.token).oid).toBe(sp!.objectId);
    });

    it('redirects with access_denied when the admin declines', async () => {
      emulator.control.setConsentDecision('deny');
      const query = new URLSearchParams({
        client_id: DEMO_APP.clientId,
        redirect_uri: REDIRECT,
        state: 's2',
        login_hint: DEMO_USER.userPrincipalName,
      });
      const res = await rawRequest(
        emulator,
        'GET',
        `/organizations/v2.0/adminconsent?${query}`,
      );
      const location = new URL(String(res.headers.location));
      expect(location.searchParams.get('error')).toBe('access_denied');
      expect(location.searchParams.get('error_description')).toMatch(
        /AADSTS65004/,
      );
    });
  });
});
