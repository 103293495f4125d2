// The module object itself (an `import * as` would be a copy), so that `startTestBackend`, which calls
// `createHttpServer` through it, gets the replacement.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const rootHttpRouterModule: typeof import('@backstage/backend-defaults/rootHttpRouter') = require('@backstage/backend-defaults/rootHttpRouter');

/** The only address a server started by a test may listen on. */
export const LOOPBACK_HOST = '127.0.0.1';

type CreateHttpServer = typeof rootHttpRouterModule.createHttpServer;

const loopbackOnlyFunctions = new WeakSet<CreateHttpServer>();

/**
 * Makes every HTTP server that `createHttpServer` (`@backstage/backend-defaults/rootHttpRouter`) creates from now on
 * listen on 127.0.0.1 only, whatever host it was given. `startTestBackend` asks for every interface
 * (`listen: { host: '' }`); its discovery still works, since it points at `http://localhost:{port}` and `localhost`
 * is 127.0.0.1.
 *
 * @remarks
 * Call it from a package's `src/setupTests.ts`, which jest runs before each test file in that file's module registry.
 * It replaces the module's export rather than spying on it, so that neither `jest.restoreAllMocks()` nor the
 * `restoreMocks` option can bring back a server on every interface; a spy that a test adds on top of it calls
 * through to it. Calling it again changes nothing.
 *
 * A backend built with `createBackend()` creates its server through Backstage's own root HTTP router instead: give
 * it `backend.listen.host: 127.0.0.1` in its config.
 */
export function listenOnLoopbackOnly(): void {
  const createHttpServer = rootHttpRouterModule.createHttpServer;
  if (loopbackOnlyFunctions.has(createHttpServer)) {
    return;
  }
  const createLoopbackHttpServer: CreateHttpServer = (
    listener,
    options,
    deps,
  ) =>
    createHttpServer(
      listener,
      { ...options, listen: { ...options.listen, host: LOOPBACK_HOST } },
      deps,
    );
  loopbackOnlyFunctions.add(createLoopbackHttpServer);
  Object.assign(rootHttpRouterModule, {
    createHttpServer: createLoopbackHttpServer,
  });
}
