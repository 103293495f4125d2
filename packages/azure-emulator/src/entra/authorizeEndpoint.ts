import { EmulatorContext } from '../EmulatorContext';
import { EntraError, isEntraError } from '../errors/EntraError';
import {
  EmulatorRequest,
  EmulatorResponse,
  htmlResponse,
  readFormBody,
  redirectResponse,
} from '../http/EmulatorHttp';
import { FixtureUser } from '../model/fixture';
import {
  consentPage,
  errorPage,
  formPostPage,
  signInPage,
} from './signInPages';
import { TenantSelector } from './tenantAliases';

/** Which interactive endpoint is being served. */
export type InteractiveFlow = 'authorize' | 'adminconsent';

const DECLINED = 'AADSTS65004: User declined to consent to access the app.';

/**
 * `GET|POST /{tenant}/oauth2/v2.0/authorize` and `/{tenant}/v2.0/adminconsent`: pick a user
 * (`login_hint` skips the picker), ask for consent when the app has no service principal in the
 * user's tenant (or `prompt=consent`), then send the user back with a code, or with `access_denied`: by a
 * redirect with the answer in the query, or with `response_mode=form_post` by a page that POSTs it to the redirect URI.
 */
export function handleInteractiveRequest(
  context: EmulatorContext,
  request: EmulatorRequest,
  selector: TenantSelector,
  flow: InteractiveFlow,
): EmulatorResponse {
  const params =
    request.method === 'POST'
      ? readFormBody(request)
      : new URLSearchParams(request.url.search);
  try {
    return interactive(context, request, params, selector, flow);
  } catch (error) {
    if (isEntraError(error))
      return htmlResponse(error.status, errorPage(error.description));
    throw error;
  }
}

function interactive(
  context: EmulatorContext,
  request: EmulatorRequest,
  params: URLSearchParams,
  selector: TenantSelector,
  flow: InteractiveFlow,
): EmulatorResponse {
  const clientId = params.get('client_id') ?? '';
  const app = context.state.apps.get(clientId.toLowerCase());
  if (!app) {
    throw new EntraError(
      'unauthorized_client',
      700016,
      `Application with identifier '${clientId}' was not found in the directory.`,
    );
  }
  const redirectUri = params.get('redirect_uri') ?? app.redirectUris[0];
  if (!redirectUri || !app.redirectUris.includes(redirectUri)) {
    throw new EntraError(
      'invalid_request',
      50011,
      `The redirect URI '${redirectUri}' specified in the request does not match the redirect URIs configured for the application '${clientId}'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal.`,
    );
  }
  const state = params.get('state') ?? undefined;
  const back = (values: Record<string, string | undefined>): EmulatorResponse =>
    returnToApp(redirectUri, { ...values, state }, params.get('response_mode'));

  if (flow === 'authorize') {
    if (params.get('response_type') !== 'code') {
      return back({
        error: 'unsupported_response_type',
        error_description: `AADSTS700054: response_type '${params.get(
          'response_type',
        )}' is not enabled for the application.`,
      });
    }
    const method = params.get('code_challenge_method');
    if (
      params.get('code_challenge') &&
      method &&
      method !== 'S256' &&
      method !== 'plain'
    ) {
      return back({
        error: 'invalid_request',
        error_description: `AADSTS501491: Invalid size of Code_Challenge parameter or unsupported code_challenge_method '${method}'.`,
      });
    }
  }

  const candidates = eligibleUsers(context, selector);
  const chosen = chooseUser(params, candidates);
  if (!chosen) {
    return htmlResponse(200, signInPage(request.path, params, candidates));
  }
  const { user, tenantId } = chosen;
  params.set('emulator_user', user.oid);

  const hasServicePrincipal = !!context.state.servicePrincipal(
    tenantId,
    app.clientId,
  );
  const prompt = (params.get('prompt') ?? '').split(/\s+/);
  const needsConsent =
    flow === 'adminconsent' ||
    prompt.includes('consent') ||
    prompt.includes('admin_consent') ||
    !hasServicePrincipal;
  if (needsConsent) {
    const decision =
      params.get('emulator_decision') ??
      (context.settings.consentDecision === 'prompt'
        ? undefined
        : context.settings.consentDecision);
    if (!decision) {
      const tenantName =
        context.state.tenants.get(tenantId.toLowerCase())?.displayName ??
        tenantId;
      return htmlResponse(
        200,
        consentPage(request.path, params, {
          user,
          appName: app.displayName ?? app.clientId,
          tenantName,
          scopes: requestedScopes(params, flow),
        }),
      );
    }
    if (decision !== 'accept') {
      return back({
        error: 'access_denied',
        error_subcode: 'cancel',
        error_description: DECLINED,
        ...(flow === 'adminconsent'
          ? { admin_consent: 'True', tenant: tenantId }
          : {}),
      });
    }
    context.state.consent(tenantId, app.clientId);
  }

  if (flow === 'adminconsent') {
    return back({
      admin_consent: 'True',
      tenant: tenantId,
      scope: params.get('scope') ?? undefined,
    });
  }
  const code = context.authorizationCodes.issue(
    {
      clientId: app.clientId,
      redirectUri,
      tenantId,
      userOid: user.oid,
      scopes: requestedScopes(params, flow),
      codeChallenge: params.get('code_challenge') ?? undefined,
      codeChallengeMethod:
        params.get('code_challenge_method') ??
        (params.get('code_challenge') ? 'plain' : undefined),
      nonce: params.get('nonce') ?? undefined,
    },
    context.clock.now(),
  );
  return back({ code, session_state: tenantId });
}

function requestedScopes(
  params: URLSearchParams,
  flow: InteractiveFlow,
): string[] {
  const scope = params.get('scope');
  if (scope) return scope.split(/\s+/).filter(Boolean);
  return flow === 'adminconsent'
    ? ['https://management.azure.com/.default']
    : [];
}

function eligibleUsers(context: EmulatorContext, selector: TenantSelector) {
  const tenants =
    selector.kind === 'tenant'
      ? [selector.tenant]
      : [...context.state.tenants.values()];
  return tenants.flatMap(tenant =>
    tenant.users.map(user => ({
      user,
      tenantId: tenant.id,
      tenantName: tenant.displayName,
    })),
  );
}

function chooseUser(
  params: URLSearchParams,
  candidates: Array<{ user: FixtureUser; tenantId: string }>,
): { user: FixtureUser; tenantId: string } | undefined {
  const picked = params.get('emulator_user');
  if (picked) {
    const match = candidates.find(
      c => c.user.oid.toLowerCase() === picked.toLowerCase(),
    );
    if (match) return match;
  }
  const hint = params.get('login_hint');
  if (hint) {
    return candidates.find(
      c => c.user.userPrincipalName.toLowerCase() === hint.toLowerCase(),
    );
  }
  return undefined;
}

function returnToApp(
  redirectUri: string,
  values: Record<string, string | undefined>,
  responseMode: string | null,
): EmulatorResponse {
  const entries = Object.entries(values).filter(
    (e): e is [string, string] => e[1] !== undefined,
  );
  if (responseMode === 'form_post') {
    // The page holds the code: like any answer of Entra ID's sign-in pages, it is not to be cached.
    return {
      ...htmlResponse(200, formPostPage(redirectUri, entries)),
      headers: {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store, no-cache',
        pragma: 'no-cache',
      },
    };
  }
  const url = new URL(redirectUri);
  for (const [k, v] of entries) url.searchParams.set(k, v);
  return redirectResponse(url.toString());
}
