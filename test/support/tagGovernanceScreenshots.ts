/*
 * Takes the screenshots of the tag governance docs from the demo portal: the Tag compliance page, a subscription's
 * Tags tab filtered to the resources that break a policy, a team's Tag compliance card, and the preview of suggested
 * fixes. It starts the demo as `npm start` does, connects the demo tenant in Chromium, adds a tag policy through the
 * API as the guest (a demo admin) beside those the demo declares in app-config, and writes docs/images/
 * tag-compliance-page.png, tags-tab-policy.png, tag-compliance-card.png and tag-fix-preview.png. Nothing is applied:
 * the preview writes nothing.
 *
 *   node test/support/tagGovernanceScreenshots.js             # starts and stops the demo itself
 *   node test/support/tagGovernanceScreenshots.js --running   # uses a demo already started with `npm start`
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import type {
  TagComplianceSummary,
  TagPolicy,
  TagPolicyInput,
} from '@azure-tenant/plugin-azure-tenant-common';
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
const WIDTH = 1366;

/**
 * A policy made in the portal, beside the three the demo declares in app-config: the demo's resources write the tool
 * that created them as `terraform` and `Terraform`, and the list is case-sensitive, so the second breaks it with a
 * suggested fix.
 */
const CREATED_BY_POLICY: TagPolicyInput = {
  name: 'Created by a known tool',
  description: 'Infrastructure as code tools, spelled as the list spells them',
  key: 'created-by',
  values: {
    kind: 'list',
    values: ['terraform', 'bicep', 'pulumi', 'portal'],
    caseSensitive: true,
  },
};

/** Waits until nothing on the page is loading (Backstage's Progress bars) and the fonts are in. */
async function settled(page: Page): Promise<void> {
  await page
    .getByRole('progressbar')
    .first()
    .waitFor({ state: 'detached', timeout: 60_000 })
    .catch(() => undefined);
  await page.evaluate(() => document.fonts.ready);
}

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
        viewport: { width: WIDTH, height: 1000 },
      });
      await signInAsGuest(page);
      const token = await guestToken();
      const { items: subscriptions } = await backendApi(
        token,
        'GET',
        'azure-tenant/subscriptions',
      );
      if (subscriptions.length === 0) await connectDemoTenant(page);

      // Compliance is evaluated after each subscription's sync: wait for both connected ones.
      for (const subscriptionId of [
        DEMO_SUBSCRIPTIONS.platform,
        DEMO_SUBSCRIPTIONS.payments,
      ]) {
        await eventually(
          async () => {
            const summary: TagComplianceSummary = await backendApi(
              token,
              'GET',
              `azure-tenant/tag-compliance/summary?subscriptionId=${subscriptionId}`,
            );
            if (!summary.evaluatedAt || summary.current.resources === 0) {
              throw new Error(`${subscriptionId} not evaluated yet`);
            }
          },
          { timeoutMs: 240_000, intervalMs: 2000 },
        );
      }
      const { items: existing } = await backendApi(
        token,
        'GET',
        'azure-tenant/tag-policies',
      );
      let policy = (existing as TagPolicy[]).find(
        p => p.name === CREATED_BY_POLICY.name,
      );
      if (!policy) {
        policy = (await backendApi(
          token,
          'POST',
          'azure-tenant/tag-policies',
          CREATED_BY_POLICY,
        )) as TagPolicy;
      }
      const policyId = policy.id;
      // The policy is evaluated at once after it is made.
      await eventually(
        async () => {
          const summary: TagComplianceSummary = await backendApi(
            token,
            'GET',
            'azure-tenant/tag-compliance/summary',
          );
          if (!summary.current.byPolicy[policyId]) {
            throw new Error('the new policy is not evaluated yet');
          }
        },
        { timeoutMs: 120_000, intervalMs: 2000 },
      );

      // The Tag compliance page: the figure, the teams and the policies; the fixes panel is its own picture.
      await page.goto(`${FRONTEND_URL}/azure-tag-compliance`);
      await page.getByText(CREATED_BY_POLICY.name).first().waitFor();
      await page
        .getByText(/non-compliant of/)
        .first()
        .waitFor();
      await settled(page);
      await page.setViewportSize({ width: WIDTH, height: 1700 });
      await page.screenshot({
        path: path.join(images, 'tag-compliance-page.png'),
      });
      await page.setViewportSize({ width: WIDTH, height: 1000 });

      // The platform subscription's Tags tab, showing the resources that break any policy.
      await page.goto(
        `${FRONTEND_URL}/catalog/default/resource/azure-subscription-${DEMO_SUBSCRIPTIONS.platform}/tags`,
      );
      await page
        .getByLabel('Show', { exact: true })
        .selectOption({ label: 'Breaks a policy' }, { timeout: 60_000 });
      await page.getByText(/resources? breaks? a policy$/).waitFor();
      await page
        .getByRole('list', { name: /^Policies .* breaks$/ })
        .first()
        .waitFor();
      await settled(page);
      await page.setViewportSize({ width: WIDTH, height: 1300 });
      await page.screenshot({ path: path.join(images, 'tags-tab-policy.png') });
      await page.setViewportSize({ width: WIDTH, height: 1000 });

      // A team's page: its Tag compliance card.
      await page.goto(`${FRONTEND_URL}/catalog/default/group/platform`);
      await page.getByLabel('Compliant share').first().waitFor({
        timeout: 60_000,
      });
      await page.getByText('Most broken policies').first().waitFor();
      await settled(page);
      const card = page
        .locator('.MuiCard-root')
        .filter({ has: page.getByLabel('Compliant share') })
        .last();
      await card.scrollIntoViewIfNeeded();
      await card.screenshot({
        path: path.join(images, 'tag-compliance-card.png'),
      });

      // The suggested fixes of the platform subscription, previewed (nothing written).
      await page.goto(
        `${FRONTEND_URL}/azure-tag-compliance?subscriptionId=${DEMO_SUBSCRIPTIONS.platform}#fixes`,
      );
      await page.getByRole('button', { name: 'Preview' }).click({
        timeout: 60_000,
      });
      await page.getByText(/would change$/).waitFor({ timeout: 60_000 });
      await settled(page);
      const panel = page
        .locator('.MuiCard-root')
        .filter({ hasText: 'Suggested fixes' })
        .filter({ hasText: 'By subscription' })
        .last();
      await panel.scrollIntoViewIfNeeded();
      await panel.screenshot({
        path: path.join(images, 'tag-fix-preview.png'),
      });
    } catch (error) {
      // What the page showed when a step gave up, for reading after a failure.
      const [page] = browser.contexts().flatMap(context => context.pages());
      await page
        ?.screenshot({
          path: path.join(
            repoRoot,
            'test-results/tag-governance-screenshots-failure.png',
          ),
          fullPage: true,
        })
        .catch(() => undefined);
      throw error;
    } finally {
      await browser.close();
    }
  } finally {
    await demo?.interrupt().catch(() => undefined);
  }
}
