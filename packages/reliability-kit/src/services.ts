/*
 * The services a test backend replaces: a root logger that keeps every line (for the secrets scan), user info and
 * auth that behave as Backstage's real ones do where the test backend's mocks differ (from test-support), and an
 * HTTP server on 127.0.0.1 only with Backstage's access log.
 */
import util from 'node:util';
import {
  coreServices,
  createServiceFactory,
  LoggerService,
  RootLoggerService,
} from '@backstage/backend-plugin-api';
import { ConfigReader } from '@backstage/config';
import { listenOnLoopbackOnly } from '@azure-tenant/test-support';
import { HostDiscovery } from '@backstage/backend-defaults/discovery';
import { ExtendedHttpServer } from '@backstage/backend-defaults/rootHttpRouter';

/** A root logger that keeps every line, with its metadata and any error's own properties and stack. */
export function capturingRootLogger() {
  const lines: string[] = [];
  const render = (value: unknown) =>
    util.inspect(value, {
      depth: 8,
      breakLength: Infinity,
      maxStringLength: null,
      maxArrayLength: null,
    });
  const make = (meta: object): RootLoggerService => {
    const write = (level: string) => (message: string, extra?: unknown) => {
      lines.push(
        `${level} ${render(message)} ${render(meta)}${
          extra === undefined ? '' : ` ${render(extra)}`
        }`,
      );
    };
    const logger: LoggerService = {
      error: write('error'),
      warn: write('warn'),
      info: write('info'),
      debug: write('debug'),
      child: childMeta => make({ ...meta, ...childMeta }),
    };
    return logger as RootLoggerService;
  };
  return {
    lines,
    factory: createServiceFactory({
      service: coreServices.rootLogger,
      deps: {},
      factory: () => make({}),
    }),
  };
}

// The demo backend's tests use these too, so they live in test-support (the kit depends on the demo backend).
export {
  actorAwareAuthServiceFactory,
  catalogUserInfoServiceFactory,
} from '@azure-tenant/test-support';

// The module object itself (an `import * as` would be a copy), so that the test backend sees the spy.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const rootHttpRouterModule: typeof import('@backstage/backend-defaults/rootHttpRouter') = require('@backstage/backend-defaults/rootHttpRouter');

/**
 * The test backend's HTTP server on 127.0.0.1 only (test-support's `listenOnLoopbackOnly`, which the kit's
 * `setupTests.ts` also applies to every test backend), caught as `startTestBackend` creates it, and discovery
 * pointed at it.
 *
 * `accessLog`: and writes Backstage's access log, as a real backend's root HTTP router does (its `MiddlewareFactory`'s
 * `logging()`, one line per request through the root logger's `rootHttpRouter` child), which the test backend's own
 * router leaves out.
 */
export function loopbackHttpServer(options: { accessLog?: boolean } = {}) {
  listenOnLoopbackOnly();
  let server: ExtendedHttpServer | undefined;
  const createServer = rootHttpRouterModule.createHttpServer;
  const spy = jest
    .spyOn(rootHttpRouterModule, 'createHttpServer')
    .mockImplementation(async (listener, serverOptions, deps) => {
      let handler = listener;
      if (options.accessLog) {
        const accessLog = rootHttpRouterModule.MiddlewareFactory.create({
          config: new ConfigReader({}),
          logger: deps.logger,
        }).logging();
        // Before everything else, as the real router's `applyDefaults` puts it: it logs when the response finishes.
        handler = (req, res) =>
          accessLog(req as any, res as any, () => listener(req, res));
      }
      server = await createServer(handler, serverOptions, deps);
      return server;
    });
  const discovery = createServiceFactory({
    service: coreServices.discovery,
    deps: { rootHttpRouter: coreServices.rootHttpRouter },
    async factory() {
      const port = server!.port();
      return HostDiscovery.fromConfig(
        new ConfigReader({
          backend: { baseUrl: `http://127.0.0.1:${port}`, listen: { port } },
        }),
      );
    },
  });
  return {
    discovery,
    server: () => server!,
    restore: () => spy.mockRestore(),
  };
}
