import { ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';

/** The repository's root folder. */
export const repoRoot = path.resolve(__dirname, '../..');

export const FRONTEND_URL = 'http://localhost:3000';
export const BACKEND_URL = 'http://localhost:7007';

/** A running demo portal, started exactly as the README's quick start starts it (`npm start`). */
export interface DemoPortal {
  process: ChildProcess;
  /** Everything the demo printed so far. */
  output(): string;
  /** Sends Ctrl-C (SIGINT) and resolves with the exit code once the demo has stopped. */
  interrupt(timeoutMs?: number): Promise<number | null>;
}

/** The environment of a user's shell: without what jest sets for itself (NODE_ENV=test, worker ids). */
function userEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, BROWSER: 'none' };
  delete env.NODE_ENV;
  delete env.JEST_WORKER_ID;
  return env;
}

export function startDemoPortal(): DemoPortal {
  let output = '';
  const child = spawn(
    process.execPath,
    [path.join(repoRoot, 'scripts/start-demo.js')],
    {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: userEnvironment(),
    },
  );
  child.stdout!.on('data', chunk => {
    output += chunk.toString();
  });
  child.stderr!.on('data', chunk => {
    output += chunk.toString();
  });

  const exited = new Promise<number | null>(resolve => {
    child.on('exit', code => resolve(code));
  });

  return {
    process: child,
    output: () => output,
    async interrupt(timeoutMs = 30_000) {
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGINT');
      const timeout = new Promise<'timeout'>(resolve =>
        setTimeout(() => resolve('timeout'), timeoutMs).unref(),
      );
      const result = await Promise.race([exited, timeout]);
      if (result === 'timeout') {
        child.kill('SIGKILL');
        throw new Error(
          `the demo did not stop within ${timeoutMs} ms of Ctrl-C`,
        );
      }
      return result;
    },
  };
}

/** Polls a URL until it answers with one of the expected statuses. */
export async function waitForUrl(
  url: string,
  options: { timeoutMs: number; statuses?: number[]; isAlive?: () => boolean },
): Promise<void> {
  const { timeoutMs, statuses = [200], isAlive = () => true } = options;
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  while (Date.now() < deadline) {
    if (!isAlive())
      throw new Error(`gave up waiting for ${url}: the process exited`);
    try {
      const response = await fetch(url);
      if (statuses.includes(response.status)) return;
      lastError = `status ${response.status}`;
    } catch (error) {
      lastError = String(error);
    }
    await new Promise(resolve => setTimeout(resolve, 1000));
  }
  throw new Error(
    `${url} did not answer within ${timeoutMs} ms (${lastError})`,
  );
}

/** Signs in as the demo's guest user and returns a Backstage token, as the frontend does. */
export async function guestToken(): Promise<string> {
  const response = await fetch(
    `${BACKEND_URL}/api/auth/guest/refresh?env=development`,
    {
      headers: { 'x-requested-with': 'XMLHttpRequest' },
    },
  );
  if (!response.ok) {
    throw new Error(
      `guest sign-in failed with ${response.status}: ${await response.text()}`,
    );
  }
  const body = await response.json();
  return body.backstageIdentity.token;
}
