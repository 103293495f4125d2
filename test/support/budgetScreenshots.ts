/*
 * Takes the screenshots of docs/budgets.md from the demo portal: the Budgets page with budgets in several states, a
 * group's page with its Spend and Budgets cards, and the Showback page. It starts the demo as `npm start` does,
 * connects the demo tenant in Chromium, creates budgets through the API as the guest (a demo admin), and writes
 * docs/images/budgets-page.png, group-budgets-cards.png and showback-page.png.
 *
 *   node test/support/budgetScreenshots.js             # starts and stops the demo itself
 *   node test/support/budgetScreenshots.js --running   # uses a demo already started with `npm start`
 */
import path from 'node:path';
import type { BudgetInput } from '@azure-tenant/plugin-azure-tenant-common';
import { eventually } from '@azure-tenant/test-support';
import { DEMO_SUBSCRIPTIONS } from '../../packages/azure-emulator/src/model/demoIdentities';
import { launchChromium, trustCertificateArg } from './chromium';
import {
  BACKEND_URL,
  FRONTEND_URL,
  guestToken,
  repoRoot,
  startDemoPortal,
  waitForUrl,
} from './demoPortal';
import {
  backendApi,
  connectDemoTenant,
  emulatorServerCertificate,
  signInAsGuest,
} from './demoTenant';

const images = path.join(repoRoot, 'docs/images');

/**
 * Budgets beside the one the demo declares in app-config, chosen against the demo's spend so that the page shows
 * each state: on track, at risk (the forecast reaches the amount) and over.
 */
const BUDGETS: BudgetInput[] = [
  {
    name: 'Payments production monthly',
    scope: {
      kind: 'subscription',
      subscriptionId: DEMO_SUBSCRIPTIONS.payments,
    },
    amount: 4000,
    currency: 'USD',
    period: { type: 'monthly' },
    owner: 'group:default/payments',
  },
  {
    name: 'Platform team, fiscal quarter',
    scope: { kind: 'entity', entityRef: 'group:default/platform' },
    amount: 20000,
    currency: 'USD',
    period: { type: 'quarterly', startMonth: 4 },
  },
  {
    name: 'Platform network',
    scope: {
      kind: 'resourceGroup',
      subscriptionId: DEMO_SUBSCRIPTIONS.platform,
      resourceGroup: 'rg-platform-network',
    },
    amount: 3000,
    currency: 'USD',
    period: { type: 'monthly' },
    owner: 'group:default/platform',
  },
  {
    name: 'Data team monthly',
    scope: { kind: 'entity', entityRef: 'group:default/data' },
    amount: 40,
    currency: 'USD',
    period: { type: 'monthly' },
  },
  {
    name: 'Shared search',
    scope: {
      kind: 'customGroup',
      name: 'Shared search',
      resourceGroups: [
        {
          subscriptionId: DEMO_SUBSCRIPTIONS.payments,
          resourceGroup: 'rg-shared-search',
        },
      ],
    },
    amount: 2500,
    currency: 'USD',
    period: { type: 'monthly' },
    owner: 'group:default/payments',
  },
];

export async function main(args: string[]): Promise<void> {
  const demo = args.includes('--running') ? undefined : startDemoPortal();
  const isAlive = () => !demo || demo.process.exitCode === null;
  try {
    await waitForUrl(`${BACKEND_URL}/api/azure-tenant/health`, {
      timeoutMs: 300_000,
      isAlive,
    });
    await waitForUrl(FRONTEND_URL, { timeoutMs: 300_000, isAlive });
    const browser = await launchChromium({
      extraArgs: [trustCertificateArg(emulatorServerCertificate())],
    });
    try {
      const page = await browser.newPage({
        viewport: { width: 1400, height: 1000 },
      });
      await signInAsGuest(page);
      const token = await guestToken();
      const { items: subscriptions } = await backendApi(
        token,
        'GET',
        'azure-tenant/subscriptions',
      );
      if (subscriptions.length === 0) await connectDemoTenant(page);

      // Budgets need the spend of the connected subscriptions and the catalog's owners of the synced resources.
      await eventually(
        async () => {
          const today = new Date().toISOString().slice(0, 10);
          const report = await backendApi(
            token,
            'GET',
            `azure-tenant/spend?entityRef=${encodeURIComponent(
              'group:default/data',
            )}&from=${today.slice(0, 8)}01&to=${today}`,
          );
          if (report.status !== 'ok' || report.series.length === 0) {
            throw new Error('no spend synced yet');
          }
        },
        { timeoutMs: 180_000, intervalMs: 2000 },
      );
      const { items: existing } = await backendApi(
        token,
        'GET',
        'azure-tenant/budgets',
      );
      for (const budget of BUDGETS) {
        if (!existing.some((s: any) => s.budget.name === budget.name)) {
          await backendApi(token, 'POST', 'azure-tenant/budgets', budget);
        }
      }
      // Each budget is evaluated when created; the declared one on the schedule or after the spend sync.
      await eventually(
        async () => {
          const { items } = await backendApi(
            token,
            'GET',
            'azure-tenant/budgets',
          );
          const pending = items.filter((s: any) => !s.evaluatedAt);
          if (items.length < BUDGETS.length + 1 || pending.length > 0) {
            throw new Error(
              `budgets not evaluated yet: ${pending
                .map((s: any) => s.budget.name)
                .join(', ')}`,
            );
          }
        },
        { timeoutMs: 180_000, intervalMs: 2000 },
      );

      // The budgets table and Azure's budgets, in a window wide enough for every column; the alerts sent below are
      // left out of the picture.
      await page.setViewportSize({ width: 1680, height: 1280 });
      await page.goto(`${FRONTEND_URL}/azure-budgets`);
      await page.getByText('Payments production monthly').first().waitFor();
      await page.getByText('Alerts sent').first().waitFor();
      await page.screenshot({ path: path.join(images, 'budgets-page.png') });
      await page.setViewportSize({ width: 1400, height: 1000 });

      await page.goto(`${FRONTEND_URL}/catalog/default/group/platform`);
      await page
        .getByRole('listitem', { name: 'Platform team, fiscal quarter' })
        .waitFor({ timeout: 60_000 });
      await page.getByText('Last 30 days').first().waitFor();
      // The cards, down to the Savings card; the members and ownership cards below are left out.
      await page.setViewportSize({ width: 1400, height: 1500 });
      await page.screenshot({
        path: path.join(images, 'group-budgets-cards.png'),
      });
      await page.setViewportSize({ width: 1400, height: 1000 });

      await page.goto(`${FRONTEND_URL}/azure-showback`);
      await page.getByText('Unallocated').first().waitFor({ timeout: 60_000 });
      await page.screenshot({
        path: path.join(images, 'showback-page.png'),
        fullPage: true,
      });
    } finally {
      await browser.close();
    }
  } finally {
    await demo?.interrupt().catch(() => undefined);
  }
}
