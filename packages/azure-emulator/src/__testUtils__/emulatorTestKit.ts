import { ClientSecretCredential } from '@azure/identity';
import { AccessToken, TokenCredential } from '@azure/core-auth';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { emulatorCredentialOptions } from '../clientOptions';
import { DEMO_APP, DEMO_TENANT } from '../model/demoIdentities';
import {
  AzureEmulator,
  AzureEmulatorOptions,
  startAzureEmulator,
} from '../startAzureEmulator';

/** Starts an emulator with its own state directory, for one test file. */
export async function startTestEmulator(
  options: AzureEmulatorOptions = {},
): Promise<AzureEmulator> {
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'azure-emulator-test-'));
  return startAzureEmulator({ stateDir, ...options });
}

/** The demo app's client-credentials credential against the emulator, trusting its CA. */
export function appCredential(
  emulator: AzureEmulator,
  tenantId = DEMO_TENANT.id,
): ClientSecretCredential {
  return new ClientSecretCredential(
    tenantId,
    DEMO_APP.clientId,
    DEMO_APP.clientSecret,
    emulatorCredentialOptions(emulator),
  );
}

/** A credential that hands out a fixed token (e.g. a delegated token from the code flow). */
export function staticTokenCredential(token: string): TokenCredential {
  return {
    getToken: async (): Promise<AccessToken> => ({
      token,
      expiresOnTimestamp: Date.now() + 3_600_000,
    }),
  };
}

/** A raw HTTPS response. */
export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json(): any;
}

/** Sends a raw HTTPS request to the emulator, trusting its CA. */
export function rawRequest(
  emulator: AzureEmulator,
  method: string,
  pathAndQuery: string,
  options: {
    headers?: Record<string, string>;
    body?: string | object;
    form?: Record<string, string>;
  } = {},
): Promise<RawResponse> {
  let body: string | undefined;
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (options.form) {
    body = new URLSearchParams(options.form).toString();
    headers['content-type'] = 'application/x-www-form-urlencoded';
  } else if (options.body !== undefined) {
    body =
      typeof options.body === 'string'
        ? options.body
        : JSON.stringify(options.body);
    headers['content-type'] = 'application/json';
  }
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      `${emulator.url}${pathAndQuery}`,
      { method, headers, ca: emulator.caCert },
      res => {
        const chunks: Buffer[] = [];
        res.on('data', c => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text,
            json: () => JSON.parse(text),
          });
        });
      },
    );
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}

/** Decodes a JWT's payload. */
export function jwtClaims(token: string): Record<string, any> {
  return JSON.parse(
    Buffer.from(token.split('.')[1], 'base64url').toString('utf8'),
  );
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/**
 * Checks, field by field, that `actual` has every field of a spec example with the same JSON
 * type (recursively; arrays are compared by their first element). `null` in the example accepts
 * any value, since examples use it for "absent".
 */
export function expectMatchesExample(
  actual: unknown,
  example: unknown,
  where = '$',
): void {
  if (example === null) return;
  const expected = typeOf(example);
  const got = typeOf(actual);
  if (expected !== got) {
    throw new Error(
      `${where}: expected ${expected} like the spec example, got ${got} (${JSON.stringify(
        actual,
      )})`,
    );
  }
  if (expected === 'array') {
    const exampleArray = example as unknown[];
    const actualArray = actual as unknown[];
    if (exampleArray.length && actualArray.length)
      expectMatchesExample(actualArray[0], exampleArray[0], `${where}[0]`);
    return;
  }
  if (expected === 'object') {
    const exampleObject = example as Record<string, unknown>;
    const actualObject = actual as Record<string, unknown>;
    // Free-form maps (tags) are compared by value type only.
    if (where.endsWith('.tags')) {
      for (const value of Object.values(actualObject))
        expect(typeof value).toBe('string');
      return;
    }
    for (const key of Object.keys(exampleObject)) {
      if (!(key in actualObject))
        throw new Error(`${where}.${key}: missing; the spec example has it`);
      expectMatchesExample(
        actualObject[key],
        exampleObject[key],
        `${where}.${key}`,
      );
    }
  }
}

/** Runs the authorization code flow with PKCE for a user and returns the delegated access token. */
export async function userAccessToken(
  emulator: AzureEmulator,
  userPrincipalName: string,
): Promise<string> {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const redirectUri = DEMO_APP.redirectUris[0];
  const query = new URLSearchParams({
    client_id: DEMO_APP.clientId,
    response_type: 'code',
    redirect_uri: redirectUri,
    scope: 'https://management.azure.com/user_impersonation',
    login_hint: userPrincipalName,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    emulator_decision: 'accept',
  });
  const authorize = await rawRequest(
    emulator,
    'GET',
    `/organizations/oauth2/v2.0/authorize?${query}`,
  );
  const code = new URL(String(authorize.headers.location)).searchParams.get(
    'code',
  );
  if (!code) throw new Error(`No code: ${authorize.status} ${authorize.text}`);
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
        redirect_uri: redirectUri,
        code_verifier: verifier,
      },
    },
  );
  return token.json().access_token;
}
