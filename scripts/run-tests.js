#!/usr/bin/env node
/*
 * Runs the whole test suite: every package's jest tests (unit, database and integration tests against the Azure
 * emulator) and the cross-package tests in test/ (the demo portal in headless Chromium).
 *
 * - Database tests run on SQLite, and on PostgreSQL 15 when one is reachable: at
 *   BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING if set, else at postgresql://postgres@127.0.0.1:5432.
 *   Without one, on a developer machine the PostgreSQL variants are skipped, and this script says so; in CI (CI set
 *   in the caller's environment, as .ci/run does) they count as failed, since a CI run must prove both databases.
 * - Browser tests use Debian's chromium. When it is missing and we are root, it is installed with apt-get.
 *
 * It ends with the line `tests: N passed, M failed`, counted from jest's own JSON results, and exits non-zero when
 * a test failed or a runner could not run.
 */
'use strict';

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const resultsDir = path.join(root, 'test-results');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const DEFAULT_POSTGRES = 'postgresql://postgres@127.0.0.1:5432';
const POSTGRES_ENV = 'BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING';
// Read from the caller's environment before main() sets CI=true for the runners (which it does on every machine).
const CALLER_IS_CI = !['', '0', 'false'].includes(
  String(process.env.CI ?? '').toLowerCase(),
);

function log(message) {
  process.stdout.write(`[test] ${message}\n`);
}

function run(command, args, env) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env });
  return result.status === null ? 1 : result.status;
}

function ensureChromium() {
  if (fs.existsSync(CHROMIUM)) return;
  if (typeof process.getuid === 'function' && process.getuid() === 0) {
    log(`${CHROMIUM} is missing: installing Debian's chromium with apt-get`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    run('apt-get', ['update', '-qq'], env);
    run('apt-get', ['install', '-y', '-qq', 'chromium'], env);
  }
  if (!fs.existsSync(CHROMIUM)) {
    log(
      `${CHROMIUM} is missing and could not be installed: the browser tests will fail. Install Debian's chromium package, or set CHROMIUM_PATH.`,
    );
  }
}

function canConnect(connectionString) {
  const url = new URL(connectionString);
  return new Promise(resolve => {
    const socket = net.connect({
      host: url.hostname,
      port: Number(url.port || 5432),
    });
    socket.setTimeout(2000);
    socket.on('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.on('error', () => resolve(false));
  });
}

async function databaseEnvironment() {
  const connectionString = process.env[POSTGRES_ENV] || DEFAULT_POSTGRES;
  const env = { BACKSTAGE_TEST_DISABLE_DOCKER: '1' };
  if (await canConnect(connectionString)) {
    log(
      `database tests run on SQLite and on PostgreSQL at ${
        new URL(connectionString).host
      }`,
    );
    env[POSTGRES_ENV] = connectionString;
    return { env, postgresMissing: false };
  }
  const host = new URL(connectionString).host;
  if (CALLER_IS_CI) {
    log(
      `PostgreSQL is not reachable at ${host} and CI is set: the PostgreSQL variants of the database tests FAIL (start PostgreSQL 15 there, or set ${POSTGRES_ENV})`,
    );
  } else {
    log(
      `PostgreSQL is not reachable at ${host}: database tests run on SQLite only, and their PostgreSQL variants are SKIPPED`,
    );
  }
  return { env, postgresMissing: CALLER_IS_CI };
}

/** Counts a jest JSON report; a suite that could not run counts as one failed test. */
function count(reportFile) {
  if (!fs.existsSync(reportFile)) return undefined;
  const report = JSON.parse(fs.readFileSync(reportFile, 'utf8'));
  const brokenSuites = report.testResults.filter(
    suite => suite.status === 'failed' && suite.assertionResults.length === 0,
  ).length;
  return {
    passed: report.numPassedTests,
    failed: report.numFailedTests + brokenSuites,
    skipped: report.numPendingTests + report.numTodoTests,
  };
}

async function main() {
  ensureChromium();
  fs.mkdirSync(resultsDir, { recursive: true });
  const database = await databaseEnvironment();
  const env = { ...process.env, CI: 'true', ...database.env };
  const jestBin = path.join(root, 'node_modules/jest/bin/jest.js');
  const backstageCli = path.join(
    root,
    'node_modules/@backstage/cli/bin/backstage-cli',
  );

  const runners = [
    {
      name: 'packages',
      report: path.join(resultsDir, 'packages.json'),
      args: [backstageCli, 'repo', 'test'],
    },
    {
      name: 'cross-package (test/)',
      report: path.join(resultsDir, 'cross-package.json'),
      args: [jestBin, '--config', 'test/jest.config.js'],
    },
  ];

  const total = { passed: 0, failed: 0, skipped: 0 };
  for (const runner of runners) {
    fs.rmSync(runner.report, { force: true });
    log(`running the ${runner.name} tests`);
    const status = run(
      process.execPath,
      [...runner.args, '--json', `--outputFile=${runner.report}`],
      env,
    );
    const counts = count(runner.report);
    if (!counts) {
      log(
        `the ${runner.name} runner exited with ${status} and wrote no results`,
      );
      total.failed += 1;
      continue;
    }
    if (status !== 0 && counts.failed === 0) {
      log(
        `the ${runner.name} runner exited with ${status} although no test failed`,
      );
      counts.failed += 1;
    }
    log(
      `${runner.name}: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`,
    );
    total.passed += counts.passed;
    total.failed += counts.failed;
    total.skipped += counts.skipped;
  }

  if (database.postgresMissing) {
    log(
      'FAILED: the PostgreSQL variants did not run, PostgreSQL is not reachable (see above)',
    );
    total.failed += 1;
  }

  process.stdout.write(
    `tests: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped\n`,
  );
  process.exitCode = total.failed === 0 && total.passed > 0 ? 0 : 1;
}

main().catch(error => {
  process.stderr.write(`${error.stack || error}\n`);
  process.stdout.write('tests: 0 passed, 1 failed\n');
  process.exitCode = 1;
});
