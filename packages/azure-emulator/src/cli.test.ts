import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { parseCliArguments } from './cliArguments';
import { DEMO_TENANT } from './model/demoIdentities';

const BIN = path.resolve(__dirname, '..', 'bin', 'azure-emulator.js');

function runEmulator(args: string[]) {
  const child = spawn(process.execPath, [BIN, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', d => (stderr += d));
  const ready = new Promise<Record<string, string>>((resolve, reject) => {
    child.stdout.on('data', d => {
      stdout += d;
      if (stdout.includes('\n')) resolve(JSON.parse(stdout.split('\n')[0]));
    });
    child.on('exit', code =>
      reject(new Error(`exited with ${code}: ${stderr}`)),
    );
  });
  ready.catch(() => undefined); // a run that is expected to fail never gets ready
  const exited = new Promise<number | null>(resolve =>
    child.on('exit', code => resolve(code)),
  );
  return { child, ready, exited, output: () => stdout };
}

function getJson(url: string, ca: string): Promise<any> {
  return new Promise((resolve, reject) => {
    request(url, { ca }, res => {
      let body = '';
      res.on('data', d => (body += d));
      res.on('end', () => resolve(JSON.parse(body)));
    })
      .on('error', reject)
      .end();
  });
}

describe('azure-emulator command line', () => {
  it('prints exactly one ready line, serves HTTPS trusted by the published CA, and stops on SIGTERM', async () => {
    const stateDir = mkdtempSync(path.join(os.tmpdir(), 'azure-emulator-cli-'));
    const run = runEmulator([
      '--port',
      '0',
      '--state-dir',
      stateDir,
      '--generate',
      'subscriptions=2,resources=50,days=30,seed=7',
    ]);
    const ready = await run.ready;
    expect(Object.keys(ready)).toEqual([
      'event',
      'url',
      'authorityHost',
      'caCertFile',
    ]);
    expect(ready.event).toBe('ready');
    expect(ready.url).toMatch(/^https:\/\/localhost:\d+$/);
    expect(ready.authorityHost).toBe(ready.url);
    expect(ready.caCertFile).toBe(path.join(stateDir, 'ca.pem'));
    const ca = readFileSync(ready.caCertFile, 'utf8');
    const config = await getJson(
      `${ready.url}/${DEMO_TENANT.id}/v2.0/.well-known/openid-configuration`,
      ca,
    );
    expect(config.issuer).toBe(`${ready.url}/${DEMO_TENANT.id}/v2.0`);
    expect(
      (await getJson(`${ready.url}/_emulator/state`, ca)).subscriptions,
    ).toHaveLength(2);

    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    expect(run.output().trim().split('\n')).toHaveLength(1);
  }, 30_000);

  it('refuses unknown options with exit code 2', async () => {
    const run = runEmulator(['--nope']);
    expect(await run.exited).toBe(2);
  }, 30_000);

  it('parses every option', () => {
    expect(
      parseCliArguments(
        [
          '--port',
          '8443',
          '--fixture',
          'f.json',
          '--generate',
          'subscriptions=100,resources=200000,days=90,seed=1',
          '--latency-ms',
          '25',
          '--state-dir',
          's',
          '--throttling',
          'off',
          '--consent',
          'accept',
        ],
        '/work',
      ),
    ).toEqual({
      port: 8443,
      fixture: '/work/f.json',
      generate: { subscriptions: 100, resources: 200000, days: 90, seed: 1 },
      latencyMs: 25,
      stateDir: '/work/s',
      throttling: { enabled: false },
      consentDecision: 'accept',
    });
  });
});
