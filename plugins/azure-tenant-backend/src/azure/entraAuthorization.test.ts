import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PipelineRequest, PipelineResponse } from '@azure/core-rest-pipeline';
import {
  AzureEmulator,
  DEMO_APP,
  DEMO_TENANT,
  DEMO_USER,
  startAzureEmulator,
} from '@azure-tenant/azure-emulator';
import { decodeProtectedHeader, importX509, jwtVerify } from 'jose';
import { signInAtEmulator } from '../__testUtils__/entraSignIn';
import {
  newOnboardingState,
  pkceChallengeFor,
  pkceVerifierFor,
} from '../onboarding/onboardingState';
import { emulatorConnection } from './__testUtils__/emulatorConnection';
import { AzureConnection } from './azureConnection';
import {
  buildAuthorizeUrl,
  redeemAuthorizationCode,
} from './entraAuthorization';
import { isEntraAuthorizationError } from './entraAuthorizationError';

jest.setTimeout(60_000);

let emulator: AzureEmulator;
let stateDir: string;

beforeAll(async () => {
  stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'entra-authorization-'));
  emulator = await startAzureEmulator({
    port: 0,
    stateDir,
    throttling: { enabled: false },
  });
});

afterAll(async () => {
  await emulator?.stop();
  fs.rmSync(stateDir, { recursive: true, force: true });
});

beforeEach(() => {
  emulator.control.reset();
});

const connection = () => emulatorConnection(emulator);

/** Every request msal sends through the connection's HTTP client, with Entra ID's answer. */
function recordExchanges(azure: AzureConnection) {
  const exchanges: { request: PipelineRequest; response?: PipelineResponse }[] =
    [];
  const send = azure.httpClient.sendRequest.bind(azure.httpClient);
  jest
    .spyOn(azure.httpClient, 'sendRequest')
    .mockImplementation(async request => {
      const exchange: (typeof exchanges)[number] = { request };
      exchanges.push(exchange);
      exchange.response = await send(request);
      return exchange.response;
    });
  return exchanges;
}

async function signIn(azure: AzureConnection) {
  const state = newOnboardingState();
  const verifier = pkceVerifierFor(state, azure.config.stateSecret);
  const redirect = await signInAtEmulator(
    buildAuthorizeUrl(azure, {
      state,
      codeChallenge: pkceChallengeFor(verifier),
    }),
    { caCert: emulator.caCert, loginHint: DEMO_USER.userPrincipalName },
  );
  return { code: redirect.get('code')!, codeVerifier: verifier };
}

const tokenCalls = () =>
  emulator.control
    .requests()
    .filter(r => /\/oauth2\/v2\.0\/token$/.test(r.path));

describe('the authorize URL', () => {
  it('asks for the delegated ARM scope alone: no offline_access, so no refresh token', () => {
    const url = new URL(
      buildAuthorizeUrl(connection(), { state: 's', codeChallenge: 'c' }),
    );
    expect(url.searchParams.get('scope')).toBe(
      'https://management.azure.com/user_impersonation',
    );
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
  });
});

describe('redeeming the authorization code', () => {
  it("talks only to the configured authority, over the connection's TLS trust, and gets no refresh token", async () => {
    const azure = connection();
    const grant = await signIn(azure);
    const exchanges = recordExchanges(azure);

    const token = await redeemAuthorizationCode(azure, grant);

    expect(token).toMatchObject({
      tenantId: DEMO_TENANT.id,
      userObjectId: DEMO_USER.oid,
    });
    expect(token.expiresOnTimestamp).toBeLessThanOrEqual(Date.now() + 3600_000);
    // No instance discovery at login.microsoftonline.com: the tenant's metadata, then the token, at the emulator.
    expect(
      exchanges.map(({ request }) => {
        const { origin, pathname } = new URL(request.url);
        return `${request.method} ${origin}${pathname}`;
      }),
    ).toEqual([
      `GET ${emulator.authorityHost}/organizations/v2.0/.well-known/openid-configuration`,
      `POST ${emulator.authorityHost}/organizations/oauth2/v2.0/token`,
    ]);
    for (const { request } of exchanges) {
      expect(request.tlsSettings?.ca).toContain(emulator.caCert.trim());
    }
    const form = new URLSearchParams(String(exchanges[1].request.body));
    expect(form.get('grant_type')).toBe('authorization_code');
    expect(form.get('code_verifier')).toBe(grant.codeVerifier);
    expect(form.get('client_secret')).toBe(DEMO_APP.clientSecret);
    // msal-node adds `openid profile offline_access`; `offline_access` is taken out, so Entra ID issues no refresh token.
    expect(form.get('scope')!.split(' ').sort()).toEqual([
      'https://management.azure.com/user_impersonation',
      'openid',
      'profile',
    ]);
    const answer = JSON.parse(exchanges[1].response!.bodyAsText!);
    expect(answer.access_token).toBe(token.accessToken);
    expect(answer).not.toHaveProperty('refresh_token');
  });

  it('signs a client assertion with the certificate, when the app authenticates with one', async () => {
    // Any certificate and key will do: the emulator's own server certificate stands in for the app's.
    const { serverCert, serverKey } = JSON.parse(
      fs.readFileSync(path.join(stateDir, 'tls-bundle.json'), 'utf8'),
    );
    const secretConnection = connection();
    const azure = new AzureConnection({
      ...secretConnection.config,
      credential: {
        kind: 'certificate',
        certificate: `${serverKey}\n${serverCert}`,
      },
    });
    const grant = await signIn(azure);
    const exchanges = recordExchanges(azure);

    // The emulator takes client secrets only, so it refuses the assertion the way Entra ID refuses a missing secret.
    const error = await redeemAuthorizationCode(azure, grant).catch(e => e);
    expect(isEntraAuthorizationError(error)).toBe(true);
    expect(error.code).toBe('invalid_client');

    const tokenRequest = exchanges.find(e => e.request.method === 'POST')!;
    const form = new URLSearchParams(String(tokenRequest.request.body));
    expect(form.get('client_secret')).toBeNull();
    expect(form.get('client_assertion_type')).toBe(
      'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    );
    const assertion = form.get('client_assertion')!;
    const tokenEndpoint = `${emulator.authorityHost}/organizations/oauth2/v2.0/token`;
    const { payload } = await jwtVerify(
      assertion,
      await importX509(serverCert, 'RS256'),
      {
        audience: tokenEndpoint,
        issuer: DEMO_APP.clientId,
        subject: DEMO_APP.clientId,
        // msal rounds its clock to the nearest second; jose floors it.
        clockTolerance: 5,
      },
    );
    expect(payload.jti).toBeTruthy();
    const certificate = new crypto.X509Certificate(serverCert);
    expect(decodeProtectedHeader(assertion)).toMatchObject({
      alg: 'PS256',
      'x5t#S256': crypto
        .createHash('sha256')
        .update(certificate.raw)
        .digest('base64url'),
    });
  });

  it('reports a code redeemed twice with the AADSTS code, and does not retry it', async () => {
    const azure = connection();
    const grant = await signIn(azure);
    await redeemAuthorizationCode(azure, grant);
    emulator.control.clearRequests();

    const error = await redeemAuthorizationCode(azure, grant).catch(e => e);
    expect(isEntraAuthorizationError(error)).toBe(true);
    expect(error.code).toBe('invalid_grant');
    expect(error.message).toMatch(
      /^Microsoft Entra ID refused the sign-in: AADSTS54005: /,
    );
    expect(tokenCalls()).toHaveLength(1);
  });

  it.each([
    ['a 503 with Retry-After', { status: 503, retryAfterSeconds: 1 }],
    ['a 429 with Retry-After', { status: 429, retryAfterSeconds: 1 }],
    ['a 500', { status: 500 }],
    ['a connection reset', { reset: true }],
  ])('is retried after %s, and succeeds', async (_name, effect) => {
    const azure = connection();
    const grant = await signIn(azure);
    emulator.control.clearRequests();
    emulator.control.injectFault({
      match: { method: 'POST', pathPattern: '/oauth2/v2\\.0/token$' },
      ...effect,
      times: 1,
    });
    const token = await redeemAuthorizationCode(azure, grant);
    expect(token.userObjectId).toBe(DEMO_USER.oid);
    expect(tokenCalls().map(r => r.faultId !== null)).toEqual([true, false]);
  });

  it('gives up after three retries and says why', async () => {
    const azure = connection();
    const grant = await signIn(azure);
    emulator.control.clearRequests();
    emulator.control.injectFault({
      match: { method: 'POST', pathPattern: '/oauth2/v2\\.0/token$' },
      status: 503,
      retryAfterSeconds: 0,
      times: 0,
    });
    const error = await redeemAuthorizationCode(azure, grant).catch(e => e);
    emulator.control.clearFaults();
    expect(isEntraAuthorizationError(error)).toBe(true);
    expect(error.message).toMatch(/Microsoft Entra ID refused the sign-in/);
    expect(tokenCalls()).toHaveLength(4);
  });

  it('does not retry a malformed answer, and reports it', async () => {
    const azure = connection();
    const grant = await signIn(azure);
    emulator.control.clearRequests();
    emulator.control.injectFault({
      match: { method: 'POST', pathPattern: '/oauth2/v2\\.0/token$' },
      malformed: true,
    });
    const error = await redeemAuthorizationCode(azure, grant).catch(e => e);
    expect(isEntraAuthorizationError(error)).toBe(true);
    expect(error.code).toBe('token_request_failed');
    expect(tokenCalls()).toHaveLength(1);
  });
});
