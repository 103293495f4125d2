/*
 * The Azure emulator of a test file: in this process, on 127.0.0.1, with its own state directory and no throttling,
 * recording on the wire what its request log leaves out (the secrets of the OAuth exchanges) for the secrets scan.
 */
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import {
  AzureEmulator,
  AzureEmulatorOptions,
  DEMO_APP,
  DEMO_TENANT,
  startAzureEmulator,
} from '@azure-tenant/azure-emulator';
import { DEMO_SUBSCRIPTION_IDS } from './demoTenant';

/** What the emulator saw on the wire that its request log does not keep: the secrets of the OAuth exchanges. */
export interface EmulatorTraffic {
  /** Every bearer token presented to the emulator (ARM calls), once each. */
  bearerTokens: Set<string>;
  /** The form bodies of requests to Entra ID's token endpoint (client secret, code, PKCE verifier). */
  tokenRequests: URLSearchParams[];
  /** The JSON bodies the token endpoint answered with (access tokens, ID tokens). */
  tokenResponses: Array<Record<string, unknown>>;
}

const TOKEN_PATH = /\/oauth2\/v2\.0\/token$/i;

/** Records, on the emulator's own HTTPS server, what the request log leaves out. Changes nothing it serves. */
function recordTraffic(server: https.Server, traffic: EmulatorTraffic) {
  server.on(
    'request',
    (req: http.IncomingMessage, res: http.ServerResponse) => {
      const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
      if (bearer) traffic.bearerTokens.add(bearer[1]);
      if (!TOKEN_PATH.test((req.url ?? '').split('?')[0])) return;

      // Whoever reads the body (by 'data' events or by read()), each chunk is emitted as 'data' once.
      const requestChunks: Buffer[] = [];
      const emit = req.emit;
      req.emit = ((event: string | symbol, ...args: any[]) => {
        if (event === 'data') requestChunks.push(Buffer.from(args[0]));
        if (event === 'end') {
          traffic.tokenRequests.push(
            new URLSearchParams(Buffer.concat(requestChunks).toString('utf8')),
          );
        }
        return emit.call(req, event, ...args);
      }) as typeof req.emit;

      const responseChunks: Buffer[] = [];
      const write = res.write;
      const end = res.end;
      res.write = ((chunk: any, ...args: any[]) => {
        if (chunk) responseChunks.push(Buffer.from(chunk));
        return (write as any).call(res, chunk, ...args);
      }) as typeof res.write;
      res.end = ((chunk?: any, ...args: any[]) => {
        if (chunk && typeof chunk !== 'function') {
          responseChunks.push(Buffer.from(chunk));
        }
        try {
          traffic.tokenResponses.push(
            JSON.parse(Buffer.concat(responseChunks).toString('utf8')),
          );
        } catch {
          // Not JSON: an error page, which holds no token.
        }
        return (end as any).call(res, chunk, ...args);
      }) as typeof res.end;
    },
  );
}

/** An emulator of {@link startTestEmulator}. */
export type TestEmulator = AzureEmulator & {
  /** The emulator's state directory, removed by `stop`. */
  stateDir: string;
  /** What it saw on the wire (see {@link EmulatorTraffic}). */
  traffic: EmulatorTraffic;
};

/**
 * Starts the emulator on 127.0.0.1 with its own state directory and no throttling (the demo fixture unless
 * `options.fixture` says otherwise), and records the OAuth traffic (see {@link EmulatorTraffic}); `stop` removes the
 * state directory too.
 */
export async function startTestEmulator(
  options: AzureEmulatorOptions = {},
): Promise<TestEmulator> {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'azure-kit-'));
  const traffic: EmulatorTraffic = {
    bearerTokens: new Set(),
    tokenRequests: [],
    tokenResponses: [],
  };
  // The emulator does not expose its HTTPS server; catch it as it is created.
  const createServer = https.createServer;
  const spy = jest
    .spyOn(https, 'createServer')
    .mockImplementation((...args: any[]) => {
      const server = (createServer as any)(...args) as https.Server;
      recordTraffic(server, traffic);
      return server;
    });
  let emulator: AzureEmulator;
  try {
    emulator = await startAzureEmulator({
      port: 0,
      stateDir,
      throttling: { enabled: false },
      ...options,
    });
  } finally {
    spy.mockRestore();
  }
  const stop = emulator.stop.bind(emulator);
  return Object.assign(emulator, {
    stateDir,
    traffic,
    stop: async () => {
      await stop();
      fs.rmSync(stateDir, { recursive: true, force: true });
    },
  });
}

/**
 * Consents the demo app in the demo tenant, as onboarding would, and gives its service principal `roles` on each
 * subscription; returns the principal's object id.
 */
export function grantPortalAccess(
  emulator: AzureEmulator,
  roles: string[] = ['Reader', 'Tag Contributor'],
  subscriptions: string[] = DEMO_SUBSCRIPTION_IDS,
): string {
  const principal = emulator.control.consent(DEMO_TENANT.id, DEMO_APP.clientId);
  for (const subscriptionId of subscriptions) {
    for (const role of roles) {
      emulator.control.assignRole({
        scope: `/subscriptions/${subscriptionId}`,
        principalId: principal.objectId,
        role,
      });
    }
  }
  return principal.objectId;
}
