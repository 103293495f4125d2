/*
 * Benchmark: start the emulator with a large generated tenant, then page through every resource
 * of every subscription with the real @azure/arm-resources SDK, and report the figures.
 *
 *   npm run bench:emulator [-- subscriptions=100,resources=200000,days=90,seed=1 [concurrency]]
 */
import { ResourceManagementClient } from '@azure/arm-resources';
import { SubscriptionClient } from '@azure/arm-resources-subscriptions';
import { ClientSecretCredential } from '@azure/identity';
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { DEMO_APP, DEMO_TENANT } from '../src/model/demoIdentities';

const DEMO_TENANT_ID = DEMO_TENANT.id;
const DEMO_CLIENT_ID = DEMO_APP.clientId;
const DEMO_SECRET = 'demo-emulator-secret';

interface Ready {
  url: string;
  authorityHost: string;
  caCertFile: string;
}

function control(
  ready: Ready,
  ca: string,
  method: string,
  route: string,
  body?: unknown,
): Promise<any> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${ready.url}/_emulator/${route}`,
      { method, ca, headers: { 'content-type': 'application/json' } },
      res => {
        let text = '';
        res.on('data', d => (text += d));
        res.on('end', () => resolve(text ? JSON.parse(text) : undefined));
      },
    );
    req.on('error', reject);
    if (body) req.write(JSON.stringify(body));
    req.end();
  });
}

/** Peak resident set size of a process, from /proc (Linux), in MiB. */
function peakRssMiB(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /VmHWM:\s+(\d+) kB/.exec(status);
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

function startEmulator(
  spec: string,
  stateDir: string,
): { child: ChildProcess; ready: Promise<Ready> } {
  const bin = path.resolve(__dirname, '..', 'bin', 'azure-emulator.js');
  const child = spawn(
    process.execPath,
    [
      bin,
      '--port',
      '0',
      '--throttling',
      'off',
      '--state-dir',
      stateDir,
      '--generate',
      spec,
    ],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const ready = new Promise<Ready>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', d => {
      out += d;
      if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]));
    });
    child.on('exit', code => reject(new Error(`emulator exited with ${code}`)));
  });
  return { child, ready };
}

async function main() {
  const spec =
    process.argv[2] ?? 'subscriptions=100,resources=200000,days=90,seed=1';
  const concurrency = Number(process.argv[3] ?? 4);
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'azure-emulator-bench-'));

  const started = Date.now();
  const { child, ready: readyPromise } = startEmulator(spec, stateDir);
  const ready = await readyPromise;
  const readyMs = Date.now() - started;
  const ca = readFileSync(ready.caCertFile, 'utf8');

  const sp = await control(ready, ca, 'POST', 'consents', {
    tenantId: DEMO_TENANT_ID,
    clientId: DEMO_CLIENT_ID,
  });
  const state = await control(ready, ca, 'GET', 'state');
  for (const s of state.subscriptions) {
    await control(ready, ca, 'POST', 'role-assignments', {
      scope: `/subscriptions/${s.subscriptionId}`,
      principalId: sp.objectId,
      role: 'Reader',
    });
  }

  const credential = new ClientSecretCredential(
    DEMO_TENANT_ID,
    DEMO_CLIENT_ID,
    DEMO_SECRET,
    {
      authorityHost: ready.authorityHost,
      disableInstanceDiscovery: true,
      tlsOptions: { ca },
    },
  );
  const clientOptions = { endpoint: ready.url, tlsOptions: { ca } };
  const listStarted = Date.now();
  const subscriptionIds: string[] = [];
  for await (const s of new SubscriptionClient(
    credential,
    clientOptions,
  ).subscriptions.list()) {
    subscriptionIds.push(s.subscriptionId!);
  }
  let resources = 0;
  let pages = 0;
  const queue = [...subscriptionIds];
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let id = queue.shift(); id; id = queue.shift()) {
        const client = new ResourceManagementClient(
          credential,
          id,
          clientOptions,
        );
        for await (const page of client.resources.list().byPage()) {
          pages++;
          resources += page.length;
        }
      }
    }),
  );
  const listMs = Date.now() - listStarted;
  const peak = peakRssMiB(child.pid!);

  child.kill('SIGTERM');
  await new Promise(resolve => child.once('exit', resolve));

  const figures = {
    generate: spec,
    readyMs,
    subscriptions: subscriptionIds.length,
    resources,
    pages,
    concurrency,
    listMs,
    resourcesPerSecond: Math.round((resources / listMs) * 1000),
    emulatorPeakRssMiB: peak === undefined ? null : Math.round(peak),
    node: process.version,
    cpus: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
  };
  console.log(`ready in ${(readyMs / 1000).toFixed(2)} s`);
  console.log(
    `listed ${resources} resources in ${
      subscriptionIds.length
    } subscriptions (${pages} pages) in ${(listMs / 1000).toFixed(2)} s, ${
      figures.resourcesPerSecond
    } resources/s`,
  );
  console.log(`emulator peak RSS ${figures.emulatorPeakRssMiB} MiB`);
  console.log(JSON.stringify(figures));
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
