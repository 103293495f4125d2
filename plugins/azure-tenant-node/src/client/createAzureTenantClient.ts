import { ResponseError } from '@backstage/errors';
import createClient, { Middleware } from 'openapi-fetch';
import type { AzureTenantClient } from '../schema/openapi/generated/apis/AzureTenantClient';
import { DefaultAzureTenantClient } from '../schema/openapi/generated/apis/DefaultAzureTenantClient';
import type { paths } from '../schema/openapi/generated/models/openapi';

/**
 * Options of {@link createAzureTenantClient}.
 *
 * @public
 */
export interface AzureTenantClientOptions {
  /**
   * Where the plugin's API is, e.g. `https://backstage.example.com/api/azure-tenant`. A function is asked before
   * each call, so that a backend plugin can ask discovery, which may move the plugin.
   */
  baseUrl: string | (() => Promise<string>);
  /**
   * The Backstage token sent as `Authorization: Bearer`. A function is asked before each call, for tokens that
   * are issued per call or expire; when it gives nothing, the call goes without credentials (GET /health needs
   * none). A script uses a static external-access token; a backend plugin should use
   * {@link azureTenantClientServiceRef}, which issues tokens for the credentials it is given.
   */
  token?: string | (() => Promise<string | undefined>);
  /**
   * The fetch to call with each `Request`. Defaults to the global fetch.
   */
  fetch?: (request: Request) => Promise<Response>;
}

/**
 * Errors of the API become ResponseErrors, as with every Backstage client. Their message also says the API's own
 * message, which says what was wrong: a script, a scaffolder task or an agent often shows nothing else.
 */
const errorResponses: Middleware = {
  async onResponse({ response }) {
    if (response.ok) {
      return undefined;
    }
    const error = await ResponseError.fromResponse(response);
    const reason = error.body.error?.message;
    if (reason) {
      // ResponseError's constructor is private: fromResponse is the one way to make one.
      error.message = `${error.message}: ${reason}`;
    }
    throw error;
  },
};

/**
 * Creates a typed client of the Azure tenant plugin's REST API.
 *
 * @remarks
 * Every call that the API answers with an error status throws a `ResponseError` from `@backstage/errors`, whose
 * message ends with the API's message and whose `body` is the API's JSON error with its extra fields: on a 409 from {@link AzureTenantClient.updateTags},
 * `body.current` and `body.tags` hold the tags as they are now (see {@link TagError}).
 *
 * @public
 */
export function createAzureTenantClient(
  options: AzureTenantClientOptions,
): AzureTenantClient {
  const { baseUrl, token, fetch = globalThis.fetch } = options;
  const fetchClient = createClient<paths>({
    // openapi-fetch has the global fetch's signature; a Request is all it passes.
    fetch: request => fetch(request),
  });
  fetchClient.use(authorization(token), errorResponses);
  return new DefaultAzureTenantClient({
    fetchClient,
    baseUrl: typeof baseUrl === 'string' ? async () => baseUrl : baseUrl,
  });
}

function authorization(token: AzureTenantClientOptions['token']): Middleware {
  return {
    async onRequest({ request }) {
      const value = typeof token === 'function' ? await token() : token;
      if (value) {
        request.headers.set('Authorization', `Bearer ${value}`);
      }
      return request;
    },
  };
}
