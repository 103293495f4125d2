/*
 * `response_mode=form_post` at the authorize endpoint, as Microsoft Entra ID does it:
 *
 * - https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow#request-an-authorization-code
 *   (`response_mode`: "form_post: Executes a POST containing the code to your redirect URI. Supported when
 *   requesting a code.")
 * - https://learn.microsoft.com/en-us/entra/identity-platform/v2-protocols-oidc#successful-response and
 *   #error-response: the answer is a `POST` to the redirect URI with `Content-Type:
 *   application/x-www-form-urlencoded`, the same way for errors (`error=access_denied&error_description=...`).
 *
 * The browser gets a page whose form submits itself; nothing of the answer is in a URL.
 */
import { createHash, randomBytes } from 'node:crypto';
import { DEMO_APP, DEMO_USER } from '../model/demoIdentities';
import { AzureEmulator } from '../startAzureEmulator';
import {
  rawRequest,
  startTestEmulator,
} from '../__testUtils__/emulatorTestKit';
import { readFormPostPage } from './signInPages';

const REDIRECT = DEMO_APP.redirectUris[0];

function authorizeForm(extra: Record<string, string>): Record<string, string> {
  return {
    client_id: DEMO_APP.clientId,
    response_type: 'code',
    redirect_uri: REDIRECT,
    response_mode: 'form_post',
    scope: 'https://management.azure.com/user_impersonation',
    state: 'st&te<"quoted">',
    login_hint: DEMO_USER.userPrincipalName,
    ...extra,
  };
}

describe('Entra ID authorize with response_mode=form_post', () => {
  let emulator: AzureEmulator;

  beforeAll(async () => {
    emulator = await startTestEmulator();
  });
  afterAll(() => emulator.stop());
  beforeEach(() => emulator.control.reset());

  it('answers a page that POSTs the code and the state to the redirect URI, with nothing in a Location or URL', async () => {
    const verifier = randomBytes(32).toString('base64url');
    const res = await rawRequest(
      emulator,
      'GET',
      `/organizations/oauth2/v2.0/authorize?${new URLSearchParams(
        authorizeForm({
          code_challenge: createHash('sha256')
            .update(verifier)
            .digest('base64url'),
          code_challenge_method: 'S256',
          prompt: 'consent',
          emulator_decision: 'accept',
        }),
      )}`,
    );
    expect(res.status).toBe(200);
    expect(res.headers.location).toBeUndefined();
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['cache-control']).toContain('no-store');
    // A form that the page submits by itself, as a POST (urlencoded is a form's default encoding).
    expect(res.text).toMatch(/<form method="POST"[^>]*action="/);
    expect(res.text).not.toMatch(/enctype=/);
    expect(res.text).toContain('document.forms[0].submit()');

    const form = readFormPostPage(res.text)!;
    expect(form.action).toBe(REDIRECT);
    expect([...form.fields.keys()].sort()).toEqual([
      'code',
      'session_state',
      'state',
    ]);
    // The state comes back exactly as sent, markup and all.
    expect(form.fields.get('state')).toBe('st&te<"quoted">');
    expect(res.text).not.toContain('<"quoted">');

    // The posted code is a real one: it redeems once, with its verifier.
    const token = await rawRequest(
      emulator,
      'POST',
      '/organizations/oauth2/v2.0/token',
      {
        form: {
          grant_type: 'authorization_code',
          client_id: DEMO_APP.clientId,
          client_secret: DEMO_APP.clientSecret,
          code: form.fields.get('code')!,
          redirect_uri: REDIRECT,
          code_verifier: verifier,
          scope: 'https://management.azure.com/user_impersonation',
        },
      },
    );
    expect(token.status).toBe(200);
    expect(token.json().token_type).toBe('Bearer');
  });

  it('keeps form_post through the sign-in and consent pages, which post back to the authorize endpoint', async () => {
    const picker = await rawRequest(
      emulator,
      'GET',
      `/organizations/oauth2/v2.0/authorize?${new URLSearchParams(
        authorizeForm({ login_hint: '' }),
      )}`,
    );
    expect(picker.status).toBe(200);
    expect(picker.text).toContain(
      '<input type="hidden" name="response_mode" value="form_post">',
    );
  });

  it('POSTs an error the same way: access_denied with AADSTS65004 and the state when consent is cancelled', async () => {
    const res = await rawRequest(
      emulator,
      'POST',
      '/organizations/oauth2/v2.0/authorize',
      { form: authorizeForm({ emulator_decision: 'cancel' }) },
    );
    expect(res.status).toBe(200);
    expect(res.headers.location).toBeUndefined();
    const form = readFormPostPage(res.text)!;
    expect(form.action).toBe(REDIRECT);
    expect(form.fields.get('error')).toBe('access_denied');
    expect(form.fields.get('error_description')).toMatch(/^AADSTS65004/);
    expect(form.fields.get('state')).toBe('st&te<"quoted">');
    expect(form.fields.get('code')).toBeNull();
  });

  it('POSTs unsupported_response_type to the redirect URI too', async () => {
    const res = await rawRequest(
      emulator,
      'GET',
      `/organizations/oauth2/v2.0/authorize?${new URLSearchParams(
        authorizeForm({ response_type: 'token' }),
      )}`,
    );
    expect(res.status).toBe(200);
    const form = readFormPostPage(res.text)!;
    expect(form.fields.get('error')).toBe('unsupported_response_type');
    expect(form.fields.get('error_description')).toMatch(/^AADSTS700054/);
  });

  it('still answers an unregistered redirect URI with its own error page, posting nothing', async () => {
    const res = await rawRequest(
      emulator,
      'GET',
      `/organizations/oauth2/v2.0/authorize?${new URLSearchParams(
        authorizeForm({ redirect_uri: 'https://evil.example/callback' }),
      )}`,
    );
    expect(res.status).toBe(400);
    expect(res.text).toContain('AADSTS50011');
    expect(readFormPostPage(res.text)).toBeUndefined();
  });
});
