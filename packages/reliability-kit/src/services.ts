/*
 * The services a test backend replaces: a root logger that keeps every line (for the secrets scan), user info and
 * auth that behave as Backstage's real ones do where the test backend's mocks differ, and an HTTP server on
 * 127.0.0.1 only.
 */
import util from 'node:util';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import {
  AuthService,
  coreServices,
  createServiceFactory,
  LoggerService,
  RootLoggerService,
} from '@backstage/backend-plugin-api';
import { ConfigReader } from '@backstage/config';
import { parseEntityRef } from '@backstage/catalog-model';
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

/**
 * User info as the auth backend resolves it at sign-in: the user and the groups its catalog entity is a member of.
 * (The test backend's default gives only the user itself, so no one would be an admin or own anything.)
 */
export const catalogUserInfoServiceFactory = createServiceFactory({
  service: coreServices.userInfo,
  deps: { discovery: coreServices.discovery, auth: coreServices.auth },
  factory({ discovery, auth }) {
    return {
      async getUserInfo(credentials) {
        if (!auth.isPrincipal(credentials, 'user')) {
          throw new Error('User info is only available for users');
        }
        const userEntityRef = credentials.principal.userEntityRef;
        const { kind, namespace, name } = parseEntityRef(userEntityRef);
        const { token } = await auth.getPluginRequestToken({
          onBehalfOf: await auth.getOwnServiceCredentials(),
          targetPluginId: 'catalog',
        });
        const response = await fetch(
          `${await discovery.getBaseUrl(
            'catalog',
          )}/entities/by-name/${kind}/${namespace}/${name}`,
          { headers: { authorization: `Bearer ${token}` } },
        );
        const entity = response.ok ? await response.json() : undefined;
        const groups: string[] = (entity?.relations ?? [])
          .filter((r: { type: string }) => r.type === 'memberOf')
          .map((r: { targetRef: string }) => r.targetRef);
        return {
          userEntityRef,
          ownershipEntityRefs: [userEntityRef, ...groups],
        };
      },
    };
  },
});

/**
 * The test backend's auth, except that a plugin's token on behalf of a user names the plugin as the actor, as
 * Backstage's real tokens do. (The mock's tokens drop it, and the permission backend then takes the plugin's
 * conditional checks, such as the catalog's, for a user's direct requests and refuses them.)
 */
export const actorAwareAuthServiceFactory = createServiceFactory({
  service: coreServices.auth,
  deps: { plugin: coreServices.pluginMetadata },
  factory({ plugin }): AuthService {
    const auth = mockServices.auth({ pluginId: plugin.getId() });
    return {
      authenticate: (token, options) => auth.authenticate(token, options),
      getNoneCredentials: () => auth.getNoneCredentials(),
      getOwnServiceCredentials: () => auth.getOwnServiceCredentials(),
      isPrincipal: auth.isPrincipal.bind(auth) as AuthService['isPrincipal'],
      async getPluginRequestToken(options) {
        if (auth.isPrincipal(options.onBehalfOf, 'user')) {
          return {
            token: mockCredentials.user.token(
              options.onBehalfOf.principal.userEntityRef,
              { actor: { subject: `plugin:${plugin.getId()}` } },
            ),
          };
        }
        return auth.getPluginRequestToken(options);
      },
      getLimitedUserToken: credentials => auth.getLimitedUserToken(credentials),
      listPublicServiceKeys: () => auth.listPublicServiceKeys(),
    };
  },
});

// The module object itself (an `import * as` would be a copy), so that the test backend sees the spy.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const rootHttpRouterModule: typeof import('@backstage/backend-defaults/rootHttpRouter') = require('@backstage/backend-defaults/rootHttpRouter');

/**
 * The test backend's HTTP server listens on every interface; this makes it listen on 127.0.0.1 only (while
 * `startTestBackend` runs), and points discovery there.
 *
 * `accessLog`: and writes Backstage's access log, as a real backend's root HTTP router does (its `MiddlewareFactory`'s
 * `logging()`, one line per request through the root logger's `rootHttpRouter` child), which the test backend's own
 * router leaves out.
 */
export function loopbackHttpServer(options: { accessLog?: boolean } = {}) {
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
      server = await createServer(
        handler,
        {
          ...serverOptions,
          listen: { ...serverOptions.listen, host: '127.0.0.1' },
        },
        deps,
      );
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
