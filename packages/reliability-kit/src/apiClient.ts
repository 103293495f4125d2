/*
 * Calling a test backend: its callers (users of the demo organization, another plugin, no one), and a client that
 * sends requests byte for byte and keeps every exchange for the secrets scan.
 */
import http from 'node:http';
import { mockCredentials } from '@backstage/backend-test-utils';
import { USERS } from './demoTenant';

/** A signed-in member of the demo admins (on a backend without the demo policy, the test backend's mock allows every permission). */
export const asUser = mockCredentials.user.header('user:default/guest');
/** Another backend plugin, as the catalog module calls the plugin's feed. */
export const asService = mockCredentials.service.header();

/** The callers of the permissions matrix. */
export type CallerName =
  | 'unauthenticated'
  | 'user'
  | 'owner'
  | 'admin'
  | 'service';

/** Every caller, in the matrix's order. */
export const CALLER_NAMES: CallerName[] = [
  'unauthenticated',
  'user',
  'owner',
  'admin',
  'service',
];

/** The `authorization` header of each caller; none for `unauthenticated`. */
export const CALLERS: Record<CallerName, string | undefined> = {
  unauthenticated: undefined,
  user: mockCredentials.user.header(USERS.user),
  owner: mockCredentials.user.header(USERS.owner),
  admin: mockCredentials.user.header(USERS.admin),
  // Another backend plugin (the catalog) calling this one.
  service: mockCredentials.service.header({
    onBehalfOf: mockCredentials.service('plugin:catalog'),
    targetPluginId: 'azure-tenant',
  }),
};

/** A response as received, for assertions and for the secrets scan. */
export interface ApiResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  /** The body parsed as JSON, when it is JSON. */
  body?: any;
}

/** A request, sent byte for byte as given (the path is not re-encoded). */
export interface ApiRequest {
  method: string;
  /** Path and query under the server, e.g. `/api/azure-tenant/tags?resourceId=…`. */
  path: string;
  headers?: Record<string, string>;
  /** Sent as is; a string body is UTF-8. */
  body?: string | Buffer;
}

/** Sends requests to a backend with Node's HTTP client, and keeps every response. */
export class ApiClient {
  /** Every exchange, in order: what was sent and what came back. */
  readonly exchanges: Array<{ request: ApiRequest; response: ApiResponse }> =
    [];

  constructor(private readonly baseUrl: string) {}

  send(request: ApiRequest): Promise<ApiResponse> {
    const url = new URL(this.baseUrl);
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: url.hostname,
          port: url.port,
          method: request.method,
          path: request.path,
          headers: {
            ...(request.body !== undefined
              ? { 'content-length': String(Buffer.byteLength(request.body)) }
              : {}),
            ...request.headers,
          },
        },
        res => {
          const chunks: Buffer[] = [];
          res.on('data', chunk => chunks.push(chunk));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let body: any;
            if (/json/.test(String(res.headers['content-type']))) {
              try {
                body = JSON.parse(text);
              } catch {
                body = undefined;
              }
            }
            const response = {
              status: res.statusCode ?? 0,
              headers: res.headers,
              text,
              body,
            };
            this.exchanges.push({ request, response });
            resolve(response);
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      if (request.body !== undefined) req.write(request.body);
      req.end();
    });
  }

  /** A form (`application/x-www-form-urlencoded`), as a browser posts one, as a caller ({@link CALLERS}). */
  form(
    pathAndQuery: string,
    caller: CallerName,
    fields: URLSearchParams,
  ): Promise<ApiResponse> {
    const authorization = CALLERS[caller];
    return this.send({
      method: 'POST',
      path: pathAndQuery,
      headers: {
        ...(authorization ? { authorization } : {}),
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: fields.toString(),
    });
  }

  /** A JSON request as a caller ({@link CALLERS}). */
  json(
    method: string,
    pathAndQuery: string,
    caller: CallerName,
    body?: unknown,
  ): Promise<ApiResponse> {
    const authorization = CALLERS[caller];
    return this.send({
      method,
      path: pathAndQuery,
      headers: {
        ...(authorization ? { authorization } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }
}
