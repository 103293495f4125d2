import net from 'node:net';
import os from 'node:os';
import {
  coreServices,
  createBackendPlugin,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { startTestBackend } from '@backstage/backend-test-utils';

/** A plugin that answers `GET /ping` and hands the test its discovery. */
function probePlugin(onDiscovery: (discovery: DiscoveryService) => void) {
  return createBackendPlugin({
    pluginId: 'probe',
    register(env) {
      env.registerInit({
        deps: {
          httpRouter: coreServices.httpRouter,
          discovery: coreServices.discovery,
        },
        async init({ httpRouter, discovery }) {
          httpRouter.addAuthPolicy({ path: '/ping', allow: 'unauthenticated' });
          httpRouter.use((req, res, next) =>
            req.path === '/ping' ? res.json({ pong: true }) : next(),
          );
          onDiscovery(discovery);
        },
      });
    },
  });
}

/** Whether a TCP connection to host:port is accepted. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise(resolve => {
    const socket = net.connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** This machine's addresses that are not loopback (none in a sandbox without a network). */
function externalAddresses(): string[] {
  return Object.values(os.networkInterfaces())
    .flat()
    .filter(info => info && !info.internal && info.family === 'IPv4')
    .map(info => info!.address);
}

async function startProbeBackend() {
  let discovery: DiscoveryService | undefined;
  const backend = await startTestBackend({
    features: [probePlugin(d => (discovery = d))],
  });
  return { backend, discovery: discovery! };
}

describe('listenOnLoopbackOnly (from src/setupTests.ts)', () => {
  it('makes a test backend listen on 127.0.0.1 only, and its discovery still reaches it', async () => {
    const { backend, discovery } = await startProbeBackend();
    const address = backend.server.address() as net.AddressInfo;
    expect(address).toMatchObject({ address: '127.0.0.1', family: 'IPv4' });

    // startTestBackend's discovery says http://localhost:{port}.
    const baseUrl = await discovery.getBaseUrl('probe');
    expect(new URL(baseUrl).hostname).toBe('localhost');
    const response = await fetch(`${baseUrl}/ping`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ pong: true });

    for (const host of externalAddresses()) {
      await expect(accepts(host, address.port)).resolves.toBe(false);
    }
    await expect(accepts('127.0.0.1', address.port)).resolves.toBe(true);
    await backend.stop();
  });

  it('stays in force after jest.restoreAllMocks()', async () => {
    jest.restoreAllMocks();
    const { backend } = await startProbeBackend();
    expect(backend.server.address()).toMatchObject({ address: '127.0.0.1' });
    await backend.stop();
  });
});
