import { randomUUID } from 'node:crypto';
import { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import { AddressInfo } from 'node:net';
import { Duplex } from 'node:stream';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ArmCall } from './arm/ArmCall';
import { ArmCaller, authenticateArmCaller } from './arm/armAuthentication';
import { routeArmRequest } from './arm/armRouter';
import { EmulatorControl } from './control/EmulatorControl';
import { handleControlRequest } from './control/controlRoutes';
import { FaultInjector } from './control/faults';
import { applyFault } from './control/faultResponses';
import { peekCaller } from './control/requestCaller';
import { RequestLog } from './control/requestLog';
import { CostModel } from './cost/CostModel';
import { ConsentDecision, EmulatorContext } from './EmulatorContext';
import { AuthorizationCodeStore } from './entra/authorizationCodes';
import { handleInteractiveRequest } from './entra/authorizeEndpoint';
import { openIdConfiguration } from './entra/openIdConfiguration';
import { loadOrCreateSigningKey } from './entra/signingKey';
import { resolveTenantSegment } from './entra/tenantAliases';
import { handleTokenRequest } from './entra/tokenEndpoint';
import { ArmError } from './errors/ArmError';
import {
  EmulatorRequest,
  EmulatorResponse,
  jsonResponse,
} from './http/EmulatorHttp';
import { httpDate, safely, send } from './http/emulatorResponses';
import { EmulatorClock } from './model/EmulatorClock';
import { EmulatorState } from './model/EmulatorState';
import { EmulatorFixture } from './model/fixture';
import {
  DEMO_FIXTURE_PATH,
  loadFixtureFile,
  packageRoot,
  validateFixture,
} from './model/fixtureLoader';
import { GenerateOptions, generateTenant } from './model/generatedTenant';
import {
  ThrottlingOptions,
  TokenBucketThrottle,
} from './throttling/TokenBucketThrottle';
import { throttleFor } from './throttling/throttleFor';
import { checkApiVersion, locationOf } from './arm/apiVersions';
import { loadOrCreateEmulatorCertificates } from './tls/emulatorCertificates';

/**
 * Options for {@link startAzureEmulator}.
 *
 * @public
 */
export interface AzureEmulatorOptions {
  /** Port on 127.0.0.1. Defaults to 0, which picks a free port. */
  port?: number;
  /**
   * The Azure-side state: a fixture object, or the path of a fixture JSON file.
   * Defaults to the demo fixture (`fixtures/demo.json`). Ignored when `generate` is set.
   */
  fixture?: EmulatorFixture | string;
  /** Builds a deterministic large tenant instead of loading a fixture. */
  generate?: GenerateOptions;
  /**
   * Where the CA, server certificate and token signing key are kept and reused.
   * Defaults to `.azure-emulator` in the package directory.
   */
  stateDir?: string;
  /** Added to every Azure response (not the control API). Defaults to 0. */
  latencyMs?: number;
  /** ARM and Cost Management throttling. Defaults to ARM-like limits; `{ enabled: false }` turns it off. */
  throttling?: ThrottlingOptions;
  /** What the consent page does. Defaults to `prompt` (show Accept / Cancel). */
  consentDecision?: ConsentDecision;
  /** Rows per Cost Management page before `nextLink`. Defaults to 5000. */
  costQueryPageSize?: number;
  /** Maximum resources (and resource groups) per ARM list page. Defaults to 1000. */
  resourcePageSize?: number;
  /** Default rows per Resource Graph page. Defaults to 1000. */
  resourceGraphPageSize?: number;
  /** How many requests the request log keeps. Defaults to 10,000. */
  requestLogLimit?: number;
}

/**
 * A running emulator.
 *
 * @public
 */
export interface AzureEmulator {
  /** The base URL, e.g. `https://localhost:49321`; ARM's endpoint. */
  url: string;
  /** Entra ID's authority host; the same as `url`. */
  authorityHost: string;
  /** The CA certificate (PEM) that clients must trust. */
  caCert: string;
  /** The absolute path of the CA certificate file. */
  caCertFile: string;
  /** The port it listens on. */
  port: number;
  /** In-process control: faults, request log, Azure-side changes, reset. */
  control: EmulatorControl;
  /** Stops the server and closes open connections. */
  stop(): Promise<void>;
}

/**
 * The default state directory: `.azure-emulator` in the package directory.
 *
 * @public
 */
export const DEFAULT_STATE_DIR = path.join(packageRoot(), '.azure-emulator');

const ENTRA_PATH =
  /^\/([^/]+)\/(v2\.0\/\.well-known\/openid-configuration|\.well-known\/openid-configuration|discovery\/v2\.0\/keys|discovery\/keys|oauth2\/v2\.0\/authorize|oauth2\/v2\.0\/token|v2\.0\/adminconsent|adminconsent|oauth2\/v2\.0\/logout)$/i;
const NOT_TENANTS = new Set([
  'subscriptions',
  'providers',
  'tenants',
  '_emulator',
]);

/**
 * Starts the emulator: Entra ID, ARM (subscriptions, resource groups, resources, tags, RBAC),
 * Resource Graph, Cost Management and Partner Admin Link over HTTPS on 127.0.0.1.
 *
 * @example
 * ```ts
 * const emulator = await startAzureEmulator({ stateDir: tmpDir });
 * const credential = new ClientSecretCredential(tenantId, clientId, secret, {
 *   authorityHost: emulator.authorityHost,
 *   disableInstanceDiscovery: true,
 *   tlsOptions: { ca: emulator.caCert },
 * });
 * ```
 *
 * @public
 */
export async function startAzureEmulator(
  options: AzureEmulatorOptions = {},
): Promise<AzureEmulator> {
  const {
    port = 0,
    stateDir = DEFAULT_STATE_DIR,
    latencyMs = 0,
    throttling = {},
    consentDecision = 'prompt',
    costQueryPageSize = 5000,
    resourcePageSize = 1000,
    resourceGraphPageSize = 1000,
    requestLogLimit = 10_000,
  } = options;

  const certificates = await loadOrCreateEmulatorCertificates({ stateDir });
  const signingKey = await loadOrCreateSigningKey({ stateDir });
  const clock = new EmulatorClock();
  const buildState = await stateFactory(options, () => clock.now());

  const server = createServer({
    key: certificates.serverKey,
    cert: certificates.serverCert,
  });
  const sockets = new Set<Duplex>();
  server.on('connection', socket => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const actualPort = (server.address() as AddressInfo).port;
  const url = `https://localhost:${actualPort}`;

  const initial = buildState();
  const context: EmulatorContext = {
    state: initial.state,
    costModel: initial.costModel,
    clock,
    signingKey,
    baseUrl: url,
    settings: {
      consentDecision,
      costQueryPageSize,
      resourcePageSize,
      resourceGraphPageSize,
    },
    authorizationCodes: new AuthorizationCodeStore(),
  };
  const faults = new FaultInjector();
  const requestLog = new RequestLog(requestLogLimit);
  const throttle = new TokenBucketThrottle(throttling, () => clock.now());
  const control = new EmulatorControl({
    context,
    faults,
    requestLog,
    throttle,
    rebuildState: () => {
      const next = buildState();
      context.state = next.state;
      context.costModel = next.costModel;
    },
    initialConsentDecision: consentDecision,
    initialThrottling: { ...throttling },
  });

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch(error => {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            error: {
              code: 'InternalServerError',
              message: String(error),
              details: [],
            },
          }),
        );
      } else {
        res.destroy();
      }
    });
  });

  async function handle(
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> {
    const started = Date.now();
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const parsedUrl = new URL(`${url}${req.url ?? '/'}`);
    const request: EmulatorRequest = {
      method: (req.method ?? 'GET').toUpperCase(),
      url: parsedUrl,
      path: decodeURIComponent(parsedUrl.pathname).replace(/\/{2,}/g, '/'),
      headers: req.headers,
      body: Buffer.concat(chunks),
      remoteAddress: req.socket.remoteAddress ?? '',
      requestId: randomUUID(),
    };

    if (
      request.path === '/_emulator' ||
      request.path.startsWith('/_emulator/')
    ) {
      send(
        res,
        request,
        await safely(() => handleControlRequest(control, request)),
        clock.now(),
      );
      return;
    }

    const fault = faults.take(request.method, request.path);
    const log = (
      status: number,
      caller?: Partial<ArmCaller>,
      clientId?: string | null,
    ) =>
      requestLog.add({
        time: new Date(started).toISOString(),
        method: request.method,
        path: request.path,
        query: parsedUrl.search.replace(/^\?/, ''),
        principal: caller?.objectId ?? null,
        tenantId: caller?.tenantId ?? null,
        clientId: clientId ?? null,
        status,
        durationMs: Date.now() - started,
        faultId: fault?.id ?? null,
      });
    const peeked = peekCaller(request);

    if (fault?.delayMs) await sleep(fault.delayMs);
    if (latencyMs > 0) await sleep(latencyMs);
    // A fault's answer carries the emulator's `Date` too (writeHead keeps headers set before it).
    res.setHeader('date', httpDate(clock.now()));
    if (fault && applyFault(fault, request, res)) {
      let status = fault.status ?? 0;
      if (fault.malformed) status = 200;
      if (fault.reset) status = 0;
      log(status, peeked.caller, peeked.clientId);
      return;
    }

    let caller: ArmCaller | undefined;
    const response = await safely(async () => {
      const entra = ENTRA_PATH.exec(request.path);
      if (entra && !NOT_TENANTS.has(entra[1].toLowerCase())) {
        return routeEntra(entra[1], entra[2].toLowerCase(), request);
      }
      if (request.path === '/' && request.method === 'GET') {
        return jsonResponse(200, {
          name: 'azure-tenant-emulator',
          authorityHost: url,
          armEndpoint: url,
        });
      }
      checkApiVersion(request, locationOf(context.state));
      caller = await authenticateArmCaller(context, request);
      const throttled = throttleFor(throttle, request, caller);
      if (throttled.error) throw throttled.error;
      const result = routeArmRequest({
        context,
        request,
        caller,
        fault,
      } satisfies ArmCall);
      return {
        ...result,
        headers: { ...throttled.headers, ...(result.headers ?? {}) },
      };
    });
    send(res, request, response, clock.now());
    log(response.status, caller ?? peeked.caller, peeked.clientId);
  }

  function routeEntra(
    segment: string,
    endpoint: string,
    request: EmulatorRequest,
  ): EmulatorResponse | Promise<EmulatorResponse> {
    const selector = resolveTenantSegment(context, segment);
    if (endpoint.endsWith('openid-configuration')) {
      return jsonResponse(200, openIdConfiguration(context, segment, selector));
    }
    if (endpoint.endsWith('keys')) {
      return jsonResponse(200, { keys: [signingKey.jwk] });
    }
    if (endpoint === 'oauth2/v2.0/token') {
      if (request.method !== 'POST')
        throw new ArmError(
          405,
          'MethodNotAllowed',
          'The token endpoint only accepts POST.',
        );
      return handleTokenRequest(context, request, selector);
    }
    if (endpoint === 'oauth2/v2.0/authorize') {
      return handleInteractiveRequest(context, request, selector, 'authorize');
    }
    if (endpoint.endsWith('adminconsent')) {
      return handleInteractiveRequest(
        context,
        request,
        selector,
        'adminconsent',
      );
    }
    return {
      status: 200,
      headers: { 'content-type': 'text/html' },
      body: '<p>Signed out.</p>',
    };
  }

  async function stop(): Promise<void> {
    await new Promise<void>(resolve => {
      server.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    });
  }

  return {
    url,
    authorityHost: url,
    caCert: certificates.caCert,
    caCertFile: certificates.caCertFile,
    port: actualPort,
    control,
    stop,
  };
}

async function stateFactory(
  options: AzureEmulatorOptions,
  now: () => number,
): Promise<() => { state: EmulatorState; costModel: CostModel }> {
  if (options.generate) {
    const generate = options.generate;
    return () => {
      const generated = generateTenant(generate);
      return {
        state: EmulatorState.fromFixture(generated.fixture, {
          lazyResources: generated.lazyResources,
          now,
        }),
        costModel: new CostModel({ costs: generated.fixture.costs, now }),
      };
    };
  }
  const fixture =
    typeof options.fixture === 'object'
      ? validateFixture(options.fixture)
      : await loadFixtureFile(options.fixture ?? DEMO_FIXTURE_PATH);
  const frozen = JSON.stringify(fixture);
  return () => {
    const copy: EmulatorFixture = JSON.parse(frozen);
    return {
      state: EmulatorState.fromFixture(copy, { now }),
      costModel: new CostModel({ costs: copy.costs, now }),
    };
  };
}
