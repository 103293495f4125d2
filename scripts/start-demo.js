#!/usr/bin/env node
/*
 * Starts the demo portal on its embedded defaults: the local Azure emulator (HTTPS, demo fixture), then Backstage
 * (frontend dev server on http://localhost:3000 and backend on http://localhost:7007, SQLite in memory).
 *
 * The emulator's address and CA file reach the backend through environment variables that app-config.yaml reads.
 * Ctrl-C stops both.
 *
 * Environment:
 *   AZURE_EMULATOR_PORT  the emulator's port (default 7443; 0 picks a free one)
 */
'use strict';

const { spawn } = require('node:child_process');
const path = require('node:path');
const readline = require('node:readline');

const root = path.resolve(__dirname, '..');
const emulatorBin = path.join(
  root,
  'packages/azure-emulator/bin/azure-emulator.js',
);
const backstageCli = path.join(
  root,
  'node_modules/@backstage/cli/bin/backstage-cli',
);

const children = new Set();
// Process groups of everything we started: a group outlives its leader while, for example, the backend that
// `backstage-cli repo start` spawned is still shutting down.
const groups = new Set();
let stopping = false;

function log(message) {
  process.stdout.write(`[demo] ${message}\n`);
}

function groupIsAlive(pgid) {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

function exitWhenGroupsAreGone() {
  const poll = setInterval(() => {
    if ([...groups].every(pgid => !groupIsAlive(pgid))) {
      clearInterval(poll);
      process.exit(process.exitCode ?? 0);
    }
  }, 100);
}

function track(child, name) {
  children.add(child);
  groups.add(child.pid);
  child.on('exit', (code, signal) => {
    children.delete(child);
    if (!stopping) {
      log(`${name} exited (${signal ?? code}); stopping the demo`);
      stop(code || 1);
    } else if (children.size === 0) {
      exitWhenGroupsAreGone();
    }
  });
  return child;
}

function stop(exitCode = 0) {
  if (stopping) return;
  stopping = true;
  process.exitCode = exitCode;
  if (children.size === 0) exitWhenGroupsAreGone();
  for (const child of children) {
    // Each child leads its own process group, so that the dev servers it started stop with it.
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      child.kill('SIGTERM');
    }
  }
  setTimeout(() => {
    for (const pgid of groups) {
      if (groupIsAlive(pgid)) {
        log(`process group ${pgid} did not stop within 15 s: killing it`);
        process.kill(-pgid, 'SIGKILL');
      }
    }
    process.exit(exitCode);
  }, 15_000).unref();
}

function startEmulator() {
  const port = process.env.AZURE_EMULATOR_PORT ?? '7443';
  const child = track(
    spawn(process.execPath, [emulatorBin, '--port', port], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
      detached: true,
    }),
    'the Azure emulator',
  );
  return new Promise((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout });
    let ready = false;
    lines.on('line', line => {
      if (!ready && line.startsWith('{')) {
        try {
          const event = JSON.parse(line);
          if (event.event === 'ready') {
            ready = true;
            resolve(event);
            return;
          }
        } catch {
          // not the ready line; print it below
        }
      }
      process.stdout.write(`[emulator] ${line}\n`);
    });
    child.on('exit', () => {
      if (!ready)
        reject(new Error('the Azure emulator exited before it was ready'));
    });
  });
}

async function main() {
  process.on('SIGINT', () => stop(0));
  process.on('SIGTERM', () => stop(0));

  log('starting the local Azure emulator');
  const emulator = await startEmulator();
  log(`Azure emulator ready at ${emulator.url} (CA: ${emulator.caCertFile})`);

  log(
    'starting Backstage: frontend on http://localhost:3000, backend on http://localhost:7007',
  );
  track(
    spawn(process.execPath, [backstageCli, 'repo', 'start'], {
      cwd: root,
      stdio: 'inherit',
      detached: true,
      env: {
        ...process.env,
        AZURE_EMULATOR_URL: emulator.url,
        AZURE_EMULATOR_AUTHORITY_HOST: emulator.authorityHost,
        AZURE_EMULATOR_CA_FILE: emulator.caCertFile,
      },
    }),
    'Backstage',
  );
}

main().catch(error => {
  log(`failed: ${error.message}`);
  stop(1);
});
