/*
 * The operations of the plugin's OpenAPI document, as the suites that must cover each of them list them.
 */

/** The keys of an OpenAPI path item that are operations (others, such as `parameters`, are shared by them). */
const HTTP_METHODS = new Set([
  'get',
  'put',
  'post',
  'delete',
  'options',
  'head',
  'patch',
  'trace',
]);

/**
 * Every operation of an OpenAPI document (as the plugin serves it at `/openapi.json`) as `METHOD /path`, the path
 * under the plugin (without `/api/azure-tenant`), its parameters as the document names them.
 */
export function apiOperations(document: {
  paths: Record<string, object>;
}): string[] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.keys(item)
      .filter(key => HTTP_METHODS.has(key))
      .map(
        method =>
          `${method.toUpperCase()} ${path.replace(/^\/api\/azure-tenant/, '')}`,
      ),
  );
}
