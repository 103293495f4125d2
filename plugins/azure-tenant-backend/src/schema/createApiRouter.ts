import { TypedRouter } from '@backstage/backend-openapi-utils';
import { RequestHandler } from 'express';
import { createOpenApiRouter, EndpointMap, spec } from './openapi';

/** A path of the API, as `src/schema/openapi.yaml` spells it. */
export type ApiPath = keyof typeof spec.paths;

/** Backstage's router typed by the API's document. */
export type ApiRouter = TypedRouter<EndpointMap>;

type Part<Endpoint, Name extends string, Otherwise> = Endpoint extends {
  [key in Name]: infer Value;
}
  ? Value
  : Otherwise;

/**
 * A handler typed by one operation of the document, `#<method>|<path>`. For `PATCH`, which Backstage's typed
 * router leaves untyped.
 */
export type ApiRequestHandler<Operation extends keyof EndpointMap> =
  RequestHandler<
    Part<EndpointMap[Operation], 'path', Record<string, string>>,
    EndpointMap[Operation]['response'],
    Part<EndpointMap[Operation], 'body', unknown>,
    Part<EndpointMap[Operation], 'query', Record<string, never>>
  >;

/** Matches a request path that ends in one of the document's path templates. */
function pathMatcher(paths: readonly ApiPath[]): (path: string) => boolean {
  const patterns = paths.map(
    template =>
      new RegExp(
        `${template
          .replace(/[.*+?^$()|[\]\\]/g, '\\$&')
          .replace(/\{[^}]+\}/g, '[^/]+')}/?$`,
        // Express routes match case-insensitively and with a trailing slash; so must the validation.
        'i',
      ),
  );
  return path => patterns.some(pattern => pattern.test(path));
}

/**
 * A router typed by the API's document that validates the requests to `paths`, and no others. Each of the
 * plugin's routers validates its own paths, so none relies on another being mounted before it; all of them
 * serve the same document at `/openapi.json`. A request that does not match the document gets a 400.
 */
export async function createApiRouter(
  paths: readonly ApiPath[],
): Promise<ApiRouter> {
  const isOwnPath = pathMatcher(paths);
  const router = await createOpenApiRouter({
    validatorOptions: { ignorePaths: (path: string) => !isOwnPath(path) },
  });
  return router;
}
