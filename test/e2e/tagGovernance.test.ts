import fs from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import {
  ANNOTATION_AZURE_RESOURCE_ID,
  ANNOTATION_AZURE_SUBSCRIPTION_ID,
} from '@azure-tenant/plugin-azure-tenant-common';
import type {
  ResourceTagCompliance,
  TagComplianceSummary,
  TagFixJob,
  TagPolicy,
} from '@azure-tenant/plugin-azure-tenant-common';
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
  emulatorServerCertificate,
  signInAsGuest,
} from '../support/demoTenant';
import { DEMO_SUBSCRIPTIONS } from '../../packages/azure-emulator/src/model/demoIdentities';
import { eventually } from '../../packages/reliability-kit/src/eventually';

const screenshots = path.join(repoRoot, 'test-results');
const PLATFORM = DEMO_SUBSCRIPTIONS.platform;
const PLATFORM_PAGE = `${FRONTEND_URL}/catalog/default/resource/azure-subscription-${PLATFORM}`;

/**
 * The policy the test adds in the browser: every resource says which tool created it, spelled as the list spells it.
 * The demo's resources (packages/azure-emulator/src/model/tagVocabulary.ts) mostly have no `created-by` tag, and some
 * have `Terraform`, which breaks the case-sensitive list and has a suggested fix (the list's spelling). No policy the
 * demo declares in app-config is about this key.
 */
const KEY = 'created-by';
const TOOLS = ['terraform', 'bicep', 'pulumi', 'portal'];

/** A synced resource as the catalog has it: its name, ids, and its `created-by` tag if it has one. */
interface CatalogResource {
  name: string;
  resourceId: string;
  subscriptionId: string;
  createdBy?: string;
}

/** The demo's synced resources (not the subscriptions nor their resource groups) with their `created-by` tag, from the catalog. */
async function catalogResources(token: string): Promise<CatalogResource[]> {
  const { items } = await backendApi(
    token,
    'GET',
    'catalog/entities/by-query?filter=kind=resource&limit=500',
  );
  return items
    .filter(
      (entity: any) =>
        entity.spec?.type !== 'azure-subscription' &&
        entity.spec?.type !== 'azure-resource-group',
    )
    .map((entity: any): CatalogResource => {
      const annotations = entity.metadata.annotations ?? {};
      const tags: Record<string, string> = entity.spec?.azure?.tags ?? {};
      const key = Object.keys(tags).find(k => k.toLowerCase() === KEY);
      return {
        name: entity.metadata.title ?? entity.metadata.name,
        resourceId: annotations[ANNOTATION_AZURE_RESOURCE_ID],
        subscriptionId: annotations[ANNOTATION_AZURE_SUBSCRIPTION_ID],
        createdBy: key === undefined ? undefined : tags[key],
      };
    });
}

/** Whether a resource breaks the policy: no `created-by` tag, or a value the list does not spell so. */
function breaksPolicy(resource: CatalogResource): boolean {
  return !resource.createdBy || !TOOLS.includes(resource.createdBy);
}

/** Whether the policy's suggested fix changes the resource: a listed tool in another case. */
function hasSuggestedFix(resource: CatalogResource): boolean {
  return (
    !!resource.createdBy &&
    !TOOLS.includes(resource.createdBy) &&
    TOOLS.includes(resource.createdBy.toLowerCase())
  );
}

/** Every page of GET /tag-compliance/resources for one subscription and policy. */
async function breaking(
  token: string,
  subscriptionId: string,
  policyId: string,
): Promise<ResourceTagCompliance[]> {
  const items: ResourceTagCompliance[] = [];
  let cursor: string | undefined;
  do {
    const page = await backendApi(
      token,
      'GET',
      `azure-tenant/tag-compliance/resources?subscriptionId=${subscriptionId}&policyId=${encodeURIComponent(
        policyId,
      )}&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

async function subscriptionSummary(
  token: string,
  subscriptionId: string,
): Promise<TagComplianceSummary> {
  return backendApi(
    token,
    'GET',
    `azure-tenant/tag-compliance/summary?subscriptionId=${subscriptionId}`,
  );
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

/**
 * The subscription page's Tag compliance card, after a fresh load, once it shows a figure: its sentence of how many
 * resources break a policy, and the count under a policy among its most broken ones.
 */
async function complianceCard(
  page: Page,
  policyName: string,
): Promise<{ sentence: string; policyCount?: string }> {
  await page.goto(PLATFORM_PAGE);
  const card: Locator = page
    .locator('.MuiCard-root')
    .filter({ has: page.getByLabel('Compliant share') });
  const sentence = card.getByText(/resources? in this subscription/);
  await sentence.waitFor({ timeout: 30_000 });
  const item = card
    .getByRole('list', { name: 'Most broken policies' })
    .getByRole('listitem')
    .filter({ hasText: policyName });
  return {
    sentence: await sentence.innerText(),
    policyCount:
      (await item.count()) > 0
        ? (await item.innerText()).replace(policyName, '').trim()
        : undefined,
  };
}

describe('tag governance in the demo portal', () => {
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
        path.join(screenshots, 'tag-governance-demo.log'),
        demo.output(),
      );
    }
  });

  it('adds a policy in the dialog, lists the resources that break it on the Tags tab, applies its suggested fixes in bulk, and the compliance card and Azure show the result', async () => {
    fs.mkdirSync(screenshots, { recursive: true });
    const browser = await launchChromium({
      extraArgs: [trustCertificateArg(emulatorServerCertificate())],
    });
    const page = await browser.newPage({
      viewport: { width: 1366, height: 1100 },
    });
    const policyName = `Created by a known tool ${Date.now().toString(36)}`;
    try {
      await signInAsGuest(page);
      await connectDemoTenant(page);
      const token = await guestToken();

      // Every synced resource in the catalog (80 + 70, the two subscriptions and their 8 resource groups), and the platform subscription's
      // compliance evaluated after its sync: the figures below are then settled.
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
      await eventually(
        async () => {
          const summary = await subscriptionSummary(token, PLATFORM);
          expect(summary.evaluatedAt).toBeDefined();
          expect(summary.current.resources).toBe(80);
        },
        { timeoutMs: 180_000, intervalMs: 2000 },
      );
      const resources = await catalogResources(token);
      const platformBreaking = resources.filter(
        r => r.subscriptionId === PLATFORM && breaksPolicy(r),
      );
      const fixable = resources.filter(hasSuggestedFix);
      const platformFixable = fixable.filter(
        r => r.subscriptionId === PLATFORM,
      );
      // The demo's data has fixes in both subscriptions.
      for (const subscriptionId of CONNECTED_SUBSCRIPTIONS) {
        expect(fixable.some(r => r.subscriptionId === subscriptionId)).toBe(
          true,
        );
      }

      // The policy, created in the browser on the Tag compliance page through the policy dialog.
      await screenshotOnFailure(page, 'tag-policy-failure.png', async () => {
        await page.goto(`${FRONTEND_URL}/azure-tag-compliance`);
        await page
          .getByRole('button', { name: 'Create tag policy' })
          .click({ timeout: 60_000 });
        const dialog = page.getByRole('dialog', { name: 'Create tag policy' });
        await dialog.getByLabel('Name', { exact: true }).fill(policyName);
        await dialog.getByLabel('Key', { exact: true }).fill(KEY);
        await dialog.getByLabel('Required on every resource in scope').check();
        await dialog
          .getByLabel('Values', { exact: true })
          .selectOption({ label: 'One of a list' });
        await dialog
          .getByLabel('Allowed values', { exact: true })
          .fill(TOOLS.join('\n'));
        await dialog.getByLabel(/^Case-sensitive/).check();
        await dialog.getByRole('button', { name: 'Create policy' }).click();
        await dialog.waitFor({ state: 'hidden', timeout: 30_000 });
        await page
          .getByRole('row')
          .filter({ hasText: policyName })
          .waitFor({ timeout: 30_000 });
      });
      const { items: policies } = await backendApi(
        token,
        'GET',
        'azure-tenant/tag-policies',
      );
      const policy = (policies as TagPolicy[]).find(
        p => p.name === policyName,
      )!;
      expect(policy).toMatchObject({
        key: KEY,
        required: true,
        values: { kind: 'list', values: TOOLS, caseSensitive: true },
        source: 'portal',
      });

      // A policy change is evaluated at once: exactly the resources without the tag or with an unlisted value break it.
      await eventually(
        async () => {
          const listed = await breaking(token, PLATFORM, policy.id);
          expect(listed.map(r => r.resourceId.toLowerCase()).sort()).toEqual(
            platformBreaking.map(r => r.resourceId.toLowerCase()).sort(),
          );
        },
        { timeoutMs: 120_000, intervalMs: 2000 },
      );
      const before = await subscriptionSummary(token, PLATFORM);
      expect(before.current.byPolicy[policy.id]).toBe(platformBreaking.length);

      // The platform subscription's Tags tab, filtered to the policy: as many resources as break it, each fixable one
      // among them with the policy's chip.
      await screenshotOnFailure(
        page,
        'tag-policy-filter-failure.png',
        async () => {
          await page.goto(`${PLATFORM_PAGE}/tags`);
          await page
            .getByLabel('Show', { exact: true })
            .selectOption(
              { label: `Breaks: ${policyName}` },
              { timeout: 60_000 },
            );
          await page
            .getByText(
              `${platformBreaking.length} resources break ${policyName}`,
              { exact: true },
            )
            .waitFor({ timeout: 60_000 });
          const search = page.getByLabel('Search resources');
          for (const resource of platformFixable) {
            await search.fill(resource.name);
            // Its chip in the Policy column, with the violation's message as its accessible name.
            await page
              .getByRole('row')
              .filter({
                has: page.getByRole('button', {
                  name: `Edit tags of ${resource.name}`,
                  exact: true,
                }),
              })
              .getByRole('listitem', {
                name: new RegExp(
                  `^created-by: value not allowed\\. The value '${resource.createdBy}'`,
                ),
              })
              .waitFor({ timeout: 10_000 });
          }
        },
      );

      // What the subscription's compliance card shows before the fixes: the policy among the most broken ones.
      const cardBefore = await screenshotOnFailure(
        page,
        'tag-compliance-card-failure.png',
        () =>
          eventually(
            async () => {
              const card = await complianceCard(page, policyName);
              expect(card.policyCount).toBe(
                `${before.current.byPolicy[policy.id]} resources`,
              );
              return card;
            },
            { timeoutMs: 120_000, intervalMs: 2000 },
          ),
      );

      // The suggested fixes of the policy: previewed, with the count and what happens in each subscription.
      const job = await screenshotOnFailure(
        page,
        'tag-fix-failure.png',
        async () => {
          await page.goto(`${FRONTEND_URL}/azure-tag-compliance#fixes`);
          await page.getByLabel('Policies').click({ timeout: 60_000 });
          await page.getByRole('option', { name: policyName }).click();
          await page.keyboard.press('Escape');
          await page.getByRole('button', { name: 'Preview' }).click();
          const total = fixable.length;
          await page
            .getByText(`${total} resources would change`, { exact: true })
            .waitFor({ timeout: 60_000 });
          await page
            .getByText(`Canonical value spelling: ${total}`, { exact: true })
            .waitFor();
          const { items: subscriptions } = await backendApi(
            token,
            'GET',
            'azure-tenant/subscriptions',
          );
          for (const subscriptionId of CONNECTED_SUBSCRIPTIONS) {
            const displayName = subscriptions.find(
              (s: any) => s.subscriptionId === subscriptionId,
            ).displayName;
            const count = fixable.filter(
              r => r.subscriptionId === subscriptionId,
            ).length;
            // Both are read-write-tags, the demo's default sync mode: written to Azure.
            const row = page
              .getByRole('row')
              .filter({ hasText: displayName })
              .filter({ hasText: 'read-write-tags' });
            await row.waitFor();
            await expect(row.innerText()).resolves.toMatch(
              new RegExp(`\\b${count}\\b[\\s\\S]*Written to Azure`),
            );
          }

          // Applied after the confirmation, which says what is written where; then followed until it is done.
          await page.getByRole('button', { name: 'Apply…' }).click();
          const confirm = page.getByRole('dialog', { name: 'Apply tag fixes' });
          await confirm
            .getByText(`${total} resources in `)
            .filter({ hasText: 'will be written to Azure.' })
            .waitFor();
          await confirm
            .getByRole('button', { name: 'Apply', exact: true })
            .click();
          await confirm.waitFor({ state: 'hidden', timeout: 30_000 });
          await page
            .getByText(`Done: ${total} of ${total} resources`, { exact: true })
            .waitFor({ timeout: 240_000 });
          await page
            .getByText(`Applied ${total}, skipped 0, failed 0`, { exact: true })
            .waitFor();
          const { items: jobs } = await backendApi(
            token,
            'GET',
            'azure-tenant/tag-fixes',
          );
          return (jobs as TagFixJob[]).find(j =>
            j.selection.policyIds?.includes(policy.id),
          );
        },
      );
      expect(job).toMatchObject({
        state: 'done',
        total: fixable.length,
        applied: fixable.length,
        failed: 0,
      });

      // Azure holds the list's spelling on the read-write-tags subscription's resources, read live.
      for (const resource of platformFixable) {
        const read = await backendApi(
          token,
          'GET',
          `azure-tenant/tags?resourceId=${encodeURIComponent(
            resource.resourceId,
          )}&live=true`,
        );
        expect(read.syncMode).toBe('read-write-tags');
        expect(read.liveTags[KEY]).toBe(resource.createdBy!.toLowerCase());
      }

      // The subscription's compliance card shows the change: the fixed resources no longer break the policy.
      const fixedCount =
        before.current.byPolicy[policy.id] - platformFixable.length;
      await screenshotOnFailure(page, 'tag-compliance-card-failure.png', () =>
        eventually(
          async () => {
            const card = await complianceCard(page, policyName);
            expect(card.policyCount).toBe(`${fixedCount} resources`);
            expect(card.policyCount).not.toBe(cardBefore.policyCount);
          },
          { timeoutMs: 240_000, intervalMs: 3000 },
        ),
      );
    } finally {
      await browser.close();
    }
  }, 1_200_000);
});
