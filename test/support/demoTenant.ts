import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { Page } from 'playwright-core';
import { eventually } from '@azure-tenant/test-support';
import { DEMO_SUBSCRIPTIONS } from '../../packages/azure-emulator/src/model/demoIdentities';
import { BACKEND_URL, FRONTEND_URL, repoRoot } from './demoPortal';

/** The two demo subscriptions that connecting the demo tenant registers (the demo user owns them). */
export const CONNECTED_SUBSCRIPTIONS = [
  DEMO_SUBSCRIPTIONS.platform,
  DEMO_SUBSCRIPTIONS.payments,
];

/** Where `npm start` keeps the emulator's state (its default state directory). */
const emulatorStateDir = path.join(
  repoRoot,
  'packages/azure-emulator/.azure-emulator',
);

/** The emulator's control API (`/_emulator/...`), at the address `npm start` gives it, trusting only its own CA. */
export async function emulatorControl(
  method: 'GET' | 'POST' | 'DELETE',
  route: string,
  body?: unknown,
): Promise<{ status: number; body: any }> {
  const ca = fs.readFileSync(path.join(emulatorStateDir, 'ca.pem'), 'utf8');
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const request = https.request(
      `https://localhost:${
        process.env.AZURE_EMULATOR_PORT ?? '7443'
      }/_emulator/${route}`,
      {
        method,
        ca,
        headers: payload
          ? {
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(payload),
            }
          : {},
      },
      response => {
        let text = '';
        response.on('data', chunk => (text += chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            body: text ? JSON.parse(text) : undefined,
          }),
        );
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
}

/** A GET or POST of the demo backend's API with a user's token; throws with the answer unless it is 2xx. */
export async function backendApi(
  token: string,
  method: 'GET' | 'POST',
  route: string,
  body?: unknown,
): Promise<any> {
  const response = await fetch(`${BACKEND_URL}/api/${route}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) {
    throw new Error(`${method} /api/${route}: ${response.status} ${text}`);
  }
  return text ? JSON.parse(text) : undefined;
}

/**
 * Opens a page of the portal in a new browser page, signed in as the demo's guest: Enter on the sign-in page, then
 * wait for the sidebar, so that later navigations sign in by themselves.
 */
export async function signInAsGuest(page: Page, route = '/'): Promise<void> {
  await page.goto(`${FRONTEND_URL}${route}`);
  await page.getByRole('button', { name: 'Enter' }).click();
  await page
    .getByRole('link', { name: 'Catalog' })
    .first()
    .waitFor({ timeout: 60_000 });
}

/**
 * Connects the demo tenant as a user does: in the portal signed in as the guest ({@link signInAsGuest}), Connect
 * Azure tenant, then the emulator's Entra ID sign-in and consent. Resolves once the portal shows the result. The
 * browser must trust the emulator's certificate (`trustCertificateArg`).
 */
export async function connectDemoTenant(page: Page): Promise<void> {
  await page.goto(`${FRONTEND_URL}/azure-tenants`);
  await page
    .getByRole('button', { name: 'Connect Azure tenant' })
    .click({ timeout: 60_000 });
  await page.waitForURL(/\/oauth2\/v2\.0\/authorize/);
  await page.getByRole('button', { name: /demo@contoso\.example/ }).click();
  await page.getByRole('button', { name: 'Accept' }).click();
  await page.waitForURL(/\/azure-tenants\?onboarding=/);
  await page
    .getByText(/Reader assigned/)
    .first()
    .waitFor({ timeout: 60_000 });
}

/** The emulator's server certificate, for `trustCertificateArg`. */
export function emulatorServerCertificate(): string {
  return JSON.parse(
    fs.readFileSync(path.join(emulatorStateDir, 'tls-bundle.json'), 'utf8'),
  ).serverCert;
}

/** The state of one of the backend plugin's scheduled tasks, from Backstage's scheduler API. */
async function taskState(
  token: string,
  taskId: string,
): Promise<{ status?: string; lastRunEndedAt?: string } | undefined> {
  const { tasks } = await backendApi(
    token,
    'GET',
    'azure-tenant/.backstage/scheduler/v1/tasks',
  );
  return tasks.find((t: any) => t.taskId === taskId)?.taskState ?? undefined;
}

/**
 * Runs the plugin's spend sync now, through Backstage's scheduler API (what DevTools' scheduled tasks call), and
 * resolves once a run that started after this call has ended.
 */
export async function runSpendSync(
  token: string,
  options: { timeoutMs: number },
): Promise<void> {
  const taskId = 'azure-tenant-spend-sync';
  const before = Date.now();
  // The trigger is refused (409) while a run is under way: ask again until it is accepted.
  await eventually(
    () =>
      backendApi(
        token,
        'POST',
        `azure-tenant/.backstage/scheduler/v1/tasks/${taskId}/trigger`,
      ),
    { timeoutMs: options.timeoutMs, intervalMs: 1000 },
  );
  await eventually(
    async () => {
      const state = await taskState(token, taskId);
      if (
        state?.status !== 'idle' ||
        !state.lastRunEndedAt ||
        Date.parse(state.lastRunEndedAt) < Math.floor(before / 1000) * 1000
      ) {
        throw new Error(
          `the spend sync has not ended a run since it was triggered: ${JSON.stringify(
            state,
          )}`,
        );
      }
    },
    { timeoutMs: options.timeoutMs, intervalMs: 1000 },
  );
}
