import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import type { BudgetStatus } from '@azure-tenant/plugin-azure-tenant-common';
import {
  BACKEND_URL,
  DemoPortal,
  FRONTEND_URL,
  guestToken,
  repoRoot,
  startDemoPortal,
  waitForUrl,
} from '../support/demoPortal';
import { launchChromium, trustCertificateArg } from '../support/chromium';
import {
  backendApi,
  CONNECTED_SUBSCRIPTIONS,
  connectDemoTenant,
  emulatorControl,
  emulatorServerCertificate,
  runSpendSync,
  signInAsGuest,
} from '../support/demoTenant';
import { eventually } from '../../packages/reliability-kit/src/eventually';

// The demo's guest is a member of the platform team (examples/org.yaml): the team's budget alerts reach the guest.
const TEAM = 'group:default/platform';
const TEAM_PAGE = `${FRONTEND_URL}/catalog/default/group/platform`;
const screenshots = path.join(repoRoot, 'test-results');

interface SpendSeries {
  currency: string;
  total: number;
  groups: Array<{ key: string; total: number }>;
  points: Array<{ date: string }>;
  forecast?: { monthEnd: number };
}

function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/**
 * A monthly budget that the team's spend this month stays well under, however the forecast is made: three times the
 * larger of Cost Management's month-end forecast and this month's run rate, in whole hundreds. So no threshold (the
 * highest default one below 100 % is 80 %) is crossed before the test makes spend run away.
 */
function amountWellAboveSpend(series: SpendSeries, today: Date): number {
  const daysInMonth = new Date(
    Date.UTC(today.getUTCFullYear(), today.getUTCMonth() + 1, 0),
  ).getUTCDate();
  const runRate = (series.total / today.getUTCDate()) * daysInMonth;
  const estimate = Math.max(series.forecast?.monthEnd ?? 0, runRate);
  return Math.ceil((3 * estimate) / 100) * 100;
}

async function teamBudget(
  token: string,
  name: string,
): Promise<BudgetStatus | undefined> {
  const { items } = await backendApi(
    token,
    'GET',
    `azure-tenant/budgets?owner=${encodeURIComponent(TEAM)}`,
  );
  return (items as BudgetStatus[]).find(status => status.budget.name === name);
}

async function screenshotOnFailure<T>(
  page: Page,
  name: string,
  step: () => Promise<T>,
): Promise<T> {
  try {
    return await step();
  } catch (error) {
    await page
      .screenshot({ path: path.join(screenshots, name), fullPage: true })
      .catch(() => undefined);
    throw error;
  }
}

describe("a team's budget in the demo portal", () => {
  let demo: DemoPortal;

  beforeAll(async () => {
    demo = startDemoPortal();
    const isAlive = () => demo.process.exitCode === null;
    try {
      await waitForUrl(`${BACKEND_URL}/api/azure-tenant/health`, {
        timeoutMs: 300_000,
        isAlive,
      });
      await waitForUrl(FRONTEND_URL, { timeoutMs: 300_000, isAlive });
    } catch (error) {
      throw new Error(`${error}\n--- demo output ---\n${demo.output()}`);
    }
  }, 330_000);

  afterAll(async () => {
    if (demo && demo.process.exitCode === null) await demo.interrupt();
    if (demo) {
      fs.mkdirSync(screenshots, { recursive: true });
      fs.writeFileSync(
        path.join(screenshots, 'budgets-demo.log'),
        demo.output(),
      );
    }
  });

  it("is created on the group's page, and when the emulator's spend crosses it, the team is notified on the notifications page", async () => {
    fs.mkdirSync(screenshots, { recursive: true });
    const browser = await launchChromium({
      extraArgs: [trustCertificateArg(emulatorServerCertificate())],
    });
    const page = await browser.newPage({
      viewport: { width: 1280, height: 1100 },
    });
    const name = `Platform e2e ${Date.now().toString(36)}`;
    const today = new Date();
    try {
      await signInAsGuest(page);
      await connectDemoTenant(page);
      const token = await guestToken();

      // The team's spend is what it owns in the catalog: wait for every synced resource there (80 + 70, the two
      // subscriptions and their 8 resource groups), then for a spend sync that ran after them, so that the figures below are settled.
      await eventually(
        async () => {
          const { items } = await backendApi(
            token,
            'GET',
            'catalog/entities/by-query?filter=kind=resource&limit=500',
          );
          expect(items).toHaveLength(160);
        },
        { timeoutMs: 180_000, intervalMs: 2000 },
      );
      await runSpendSync(token, { timeoutMs: 180_000 });

      // What the team's resources cost this month so far.
      const monthStart = `${isoDay(today).slice(0, 8)}01`;
      const spend: SpendSeries = await eventually(
        async () => {
          const report = await backendApi(
            token,
            'GET',
            `azure-tenant/spend?entityRef=${encodeURIComponent(
              TEAM,
            )}&from=${monthStart}&to=${isoDay(today)}&groupBy=service&top=50`,
          );
          expect(report.status).toBe('ok');
          const usd = report.series.find(
            (series: SpendSeries) => series.currency === 'USD',
          );
          expect(usd?.total).toBeGreaterThan(0);
          return usd;
        },
        { timeoutMs: 180_000, intervalMs: 2000 },
      );
      const amount = amountWellAboveSpend(spend, today);

      // On the team's page, the Budgets card: Create budget, with the team as the scope and the owner.
      await screenshotOnFailure(
        page,
        'budgets-create-failure.png',
        async () => {
          await page.goto(TEAM_PAGE);
          await page
            .getByRole('button', { name: 'Create budget' })
            .click({ timeout: 60_000 });
          const dialog = page.getByRole('dialog', { name: 'Create budget' });
          await dialog.getByLabel('Name').fill(name);
          await dialog.getByLabel('Amount').fill(String(amount));
          // The team's spend is in USD, so the dialog proposes it.
          await expect(
            dialog.getByLabel('Currency').inputValue(),
          ).resolves.toBe('USD');
          await dialog.getByRole('button', { name: 'Create budget' }).click();
          await dialog.waitFor({ state: 'hidden', timeout: 30_000 });
          await page
            .getByRole('listitem', { name })
            .waitFor({ timeout: 30_000 });
        },
      );

      // Evaluated at once: on track, nothing crossed, so nothing sent yet.
      const created = await eventually(
        async () => {
          const status = await teamBudget(token, name);
          expect(status?.evaluatedAt).toBeDefined();
          return status!;
        },
        { timeoutMs: 60_000, intervalMs: 1000 },
      );
      expect(created.budget).toMatchObject({
        scope: { kind: 'entity', entityRef: TEAM },
        owner: TEAM,
        amount,
        currency: 'USD',
        period: { type: 'monthly' },
      });
      expect(created.state).toBe('on-track');
      expect(created.crossed).toEqual([]);

      // Spend runs away: every service the team pays for costs 50 times as much, from a day the spend sync reads
      // again (it re-reads the last 5 days, as Azure restates them) and not before the month.
      const spikeFrom = new Date(today.getTime() - 3 * 86_400_000);
      const from =
        isoDay(spikeFrom) < monthStart ? monthStart : isoDay(spikeFrom);
      for (const subscriptionId of CONNECTED_SUBSCRIPTIONS) {
        for (const { key: serviceName } of spend.groups) {
          const { status } = await emulatorControl('POST', 'cost-scenarios', {
            kind: 'spike',
            subscriptionId,
            serviceName,
            factor: 50,
            from,
          });
          expect(status).toBe(201);
        }
      }
      await runSpendSync(token, { timeoutMs: 180_000 });

      // The budget is evaluated after the sync: its thresholds are crossed, and the team is notified.
      const crossed = await eventually(
        async () => {
          const status = await teamBudget(token, name);
          expect(status?.crossed.length).toBeGreaterThan(0);
          return status!;
        },
        { timeoutMs: 120_000, intervalMs: 1000 },
      );
      expect(['at-risk', 'over']).toContain(crossed.state);

      // The notifications page shows it to the guest, a member of the team: searched for by the budget's name, as
      // the page lists 5 notifications at a time, and the spike also brought anomaly alerts and the declared budget's.
      await screenshotOnFailure(
        page,
        'budgets-notification-failure.png',
        async () => {
          const notification = page
            .getByRole('row')
            .filter({ hasText: `Budget '${name}'` })
            .first();
          await eventually(
            async () => {
              await page.goto(`${FRONTEND_URL}/notifications`);
              await page.getByPlaceholder('Filter').fill(name);
              await notification.waitFor({ timeout: 20_000 });
            },
            { timeoutMs: 120_000 },
          );
          // With the figures: "Budget '…' passed 80%: 412% (…)" or "… is forecast past 100%: …".
          await expect(notification.textContent()).resolves.toMatch(
            new RegExp(`Budget '${name}' (passed|is forecast past) \\d+`),
          );
          await page.screenshot({
            path: path.join(screenshots, 'budgets-notification.png'),
            fullPage: true,
          });
        },
      );

      // Back on the team's page, the card shows the budget's new state.
      await page.goto(TEAM_PAGE);
      await page
        .getByRole('listitem', { name })
        .getByText(crossed.state === 'over' ? /^Over$/ : /^At risk$/)
        .first()
        .waitFor({ timeout: 60_000 });
    } finally {
      await browser.close();
    }
  }, 720_000);
});
