import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import {
  BACKEND_URL,
  DemoPortal,
  FRONTEND_URL,
  guestToken,
  repoRoot,
  startDemoPortal,
  waitForUrl,
} from '../support/demoPortal';
import {
  DEMO_APP,
  DEMO_SUBSCRIPTIONS,
} from '../../packages/azure-emulator/src/model/demoIdentities';
import { eventually } from '../../packages/reliability-kit/src/eventually';
import { launchChromium, trustCertificateArg } from '../support/chromium';
import { findSecrets } from '../support/secretScan';

// Where `npm start` keeps the emulator's certificates (its default state directory).
const emulatorTlsBundle = path.join(
  repoRoot,
  'packages/azure-emulator/.azure-emulator/tls-bundle.json',
);

describe('connecting an Azure tenant in the demo portal', () => {
  let demo: DemoPortal;
  // Entra ID's answer, as the browser posted it to the portal: what the secret scan of the demo's output looks for.
  const answer: { code?: string; state?: string } = {};

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
    // What the demo printed, for reading after a failure.
    if (demo) {
      fs.mkdirSync(path.join(repoRoot, 'test-results'), { recursive: true });
      fs.writeFileSync(
        path.join(repoRoot, 'test-results/connect-tenant-demo.log'),
        demo.output(),
      );
    }
  });

  it('clicks Connect Azure tenant, signs in at the emulator, and shows the result for each subscription', async () => {
    const { serverCert } = JSON.parse(
      fs.readFileSync(emulatorTlsBundle, 'utf8'),
    );
    const browser = await launchChromium({
      extraArgs: [trustCertificateArg(serverCert)],
    });
    const screenshots = path.join(repoRoot, 'test-results');
    fs.mkdirSync(screenshots, { recursive: true });
    const page = await browser.newPage();
    // Every request the browser makes, with its Referer, and every address its tab shows.
    const requests: Array<{ method: string; url: string; referer: string }> =
      [];
    const addresses: string[] = [];
    page.on('request', async request => {
      const headers = await request.allHeaders().catch(() => ({}));
      requests.push({
        method: request.method(),
        url: request.url(),
        referer: (headers as Record<string, string>).referer ?? '',
      });
      if (
        request.method() === 'POST' &&
        request
          .url()
          .startsWith(`${BACKEND_URL}/api/azure-tenant/onboarding/callback`)
      ) {
        const form = new URLSearchParams(request.postData() ?? '');
        answer.code = form.get('code') ?? undefined;
        answer.state = form.get('state') ?? undefined;
      }
    });
    page.on('framenavigated', frame => {
      if (frame === page.mainFrame()) addresses.push(frame.url());
    });
    try {
      await page.goto(`${FRONTEND_URL}/azure-tenants`);
      await page.getByRole('button', { name: 'Enter' }).click();

      await page.getByRole('button', { name: 'Connect Azure tenant' }).click();

      // The emulator's Entra ID: pick the demo user, then grant consent.
      await page.waitForURL(/\/oauth2\/v2\.0\/authorize/);
      await page.getByRole('button', { name: /demo@contoso\.example/ }).click();
      await page.getByRole('button', { name: 'Accept' }).click();

      // Back in the portal, which shows the onboarding's progress and then its result.
      await page.waitForURL(/\/azure-tenants\?onboarding=/);
      await page
        .getByText('You are not an Owner of Contoso Data Europe')
        .waitFor({ timeout: 60_000 });
      await page
        .getByText(/Reader assigned/)
        .first()
        .waitFor();
      await page.screenshot({
        path: path.join(screenshots, 'connect-tenant.png'),
        fullPage: true,
      });

      const body = await page.textContent('body');
      expect(body).toContain('Contoso Platform Production');
      expect(body).toContain('Contoso Payments');

      // Entra ID posted its answer (response_mode=form_post): the code and the state were in the body of a POST to
      // the callback, never in an address the tab showed, nor in any request's URL or Referer at the portal.
      expect(answer.code).toMatch(/\S{20,}/);
      expect(answer.state).toMatch(/\S{40,}/);
      const callbacks = requests.filter(r =>
        r.url.startsWith(`${BACKEND_URL}/api/azure-tenant/onboarding/callback`),
      );
      expect(callbacks.map(r => `${r.method} ${r.url}`)).toEqual([
        `POST ${BACKEND_URL}/api/azure-tenant/onboarding/callback`,
      ]);
      const atThePortal = (url: string) =>
        url.startsWith(FRONTEND_URL) || url.startsWith(BACKEND_URL);
      for (const secret of [answer.code!, answer.state!]) {
        expect(
          addresses.filter(a => atThePortal(a) && a.includes(secret)),
        ).toEqual([]);
        expect(
          requests.filter(
            r =>
              atThePortal(r.url) &&
              (r.url.includes(secret) || r.referer.includes(secret)),
          ),
        ).toEqual([]);
      }
      // The code is in no address at all, Entra ID's included.
      expect(addresses.filter(a => a.includes(answer.code!))).toEqual([]);

      // The first sync of the two connected subscriptions brings them and their resources into the catalog.
      const token = await guestToken();
      await eventually(
        async () => {
          const response = await fetch(
            `${BACKEND_URL}/api/catalog/entities/by-query?filter=kind=resource&limit=500`,
            { headers: { authorization: `Bearer ${token}` } },
          );
          const { items } = await response.json();
          const subscriptions = items.filter(
            (e: any) => e.spec.type === 'azure-subscription',
          );
          expect(
            subscriptions.map((e: any) => e.metadata.title).sort(),
          ).toEqual(['Contoso Payments', 'Contoso Platform Production']);
          // 80 + 70 resources, the two subscriptions, and their 8 resource groups between them.
          expect(items).toHaveLength(160);
          expect(
            items.filter((e: any) => e.spec.type === 'azure-resource-group'),
          ).toHaveLength(8);
        },
        { timeoutMs: 90_000 },
      );
    } catch (error) {
      await page.screenshot({
        path: path.join(screenshots, 'connect-tenant-failure.png'),
        fullPage: true,
      });
      throw error;
    } finally {
      await browser.close();
    }
  }, 180_000);
  it('edits a tag on the Tags tab: Azure receives the PATCH, and the entity shows it after a reload', async () => {
    const platform = DEMO_SUBSCRIPTIONS.platform;
    const caCert = fs.readFileSync(
      path.join(repoRoot, 'packages/azure-emulator/.azure-emulator/ca.pem'),
      'utf8',
    );
    const emulatorRequests = async (): Promise<any[]> =>
      new Promise((resolve, reject) => {
        https
          .get(
            'https://localhost:7443/_emulator/requests',
            { ca: caCert },
            response => {
              let body = '';
              response.on('data', chunk => (body += chunk));
              response.on('end', () => resolve(JSON.parse(body).value));
            },
          )
          .on('error', reject);
      });

    const browser = await launchChromium();
    const page = await browser.newPage();
    const screenshots = path.join(repoRoot, 'test-results');
    const value = `browser-${Date.now()}`;
    try {
      const tagsTab = `${FRONTEND_URL}/catalog/default/resource/azure-subscription-${platform}/tags`;
      await page.goto(tagsTab);
      await page.getByRole('button', { name: 'Enter' }).click();

      const editButton = page
        .getByRole('button', { name: /^Edit tags of / })
        .first();
      await editButton.waitFor({ timeout: 60_000 });
      // The tab lists the subscription's resources a page at a time, and not the subscription's own entity.
      const token = await guestToken();
      const listed = await fetch(
        `${BACKEND_URL}/api/catalog/entities/by-query?filter=kind=resource,metadata.annotations.management.azure.com/subscriptionId=${platform}&limit=500`,
        { headers: { authorization: `Bearer ${token}` } },
      ).then(r => r.json());
      const resourceCount = listed.items.filter(
        (e: any) => e.spec.type !== 'azure-subscription',
      ).length;
      expect(resourceCount).toBeGreaterThan(20);
      expect(
        await page.getByRole('button', { name: /^Edit tags of / }).count(),
      ).toBe(20);
      expect(
        await page.getByRole('button', { name: 'Next page' }).isEnabled(),
      ).toBe(true);
      const resourceLabel = (await editButton.getAttribute(
        'aria-label',
      ))!.replace('Edit tags of ', '');
      await editButton.click();
      await page.getByRole('button', { name: 'Add tag' }).click();
      await page.getByLabel('Tag name').last().fill('e2e-check');
      await page.getByLabel('Tag value').last().fill(value);
      await page.getByRole('button', { name: 'Save' }).click();

      // Azure received the tag change, as a PATCH of the resource's tags.
      await eventually(async () => {
        const patches = (await emulatorRequests()).filter(
          r =>
            r.method === 'PATCH' &&
            r.path
              .toLowerCase()
              .endsWith('/providers/microsoft.resources/tags/default') &&
            r.path.toLowerCase().includes(`/${resourceLabel.toLowerCase()}/`),
        );
        expect(patches.length).toBeGreaterThan(0);
      });

      // After a reload, the entity (read from the catalog) shows the new value.
      await eventually(
        async () => {
          await page.goto(tagsTab);
          await page
            .getByRole('listitem', { name: `e2e-check: ${value}` })
            .first()
            .waitFor({ timeout: 5000 });
        },
        { timeoutMs: 60_000 },
      );
      await page.screenshot({
        path: path.join(screenshots, 'tags-tab.png'),
        fullPage: true,
      });
    } catch (error) {
      await page.screenshot({
        path: path.join(screenshots, 'tags-tab-failure.png'),
        fullPage: true,
      });
      throw error;
    } finally {
      await browser.close();
    }
  }, 240_000);
  it("opens a subscription's Spend tab, switches the grouping, and sees the chart and the table change", async () => {
    const platform = DEMO_SUBSCRIPTIONS.platform;
    const browser = await launchChromium();
    const page = await browser.newPage({
      viewport: { width: 1280, height: 1100 },
    });
    const screenshots = path.join(repoRoot, 'test-results');
    try {
      // The first spend sync started when the tenant was connected. Until its data is there, the tab says the sync is
      // pending and asks again by itself (every 15 s), so no reload is needed.
      await page.goto(
        `${FRONTEND_URL}/catalog/default/resource/azure-subscription-${platform}/spend`,
      );
      await page.getByRole('button', { name: 'Enter' }).click();
      const groupsTable = page.getByText(/^Top services \(/);
      try {
        await groupsTable.waitFor({ timeout: 150_000 });
      } catch (error) {
        // Say what the API answers and what the spend sync logged, so that a failure can be read from CI's output.
        const token = await guestToken();
        const answer = await fetch(
          `${BACKEND_URL}/api/azure-tenant/spend?subscriptionId=${platform}&groupBy=service`,
          { headers: { authorization: `Bearer ${token}` } },
        ).then(async r => `${r.status} ${(await r.text()).slice(0, 500)}`);
        const spendLog = demo
          .output()
          .split('\n')
          .filter(line => /spend|CostManagement/i.test(line))
          .slice(-20)
          .join('\n');
        throw new Error(
          `${error}\nGET /spend: ${answer}\n--- demo output about spend ---\n${spendLog}`,
        );
      }
      const bars = page.locator('.recharts-bar-rectangle');
      await bars.first().waitFor();
      const serviceRows = await page
        .locator('table tbody tr')
        .allTextContents();

      await page.getByLabel('Group by').selectOption('resourceGroup');
      await page
        .getByText(/^Top resource groups \(/)
        .waitFor({ timeout: 30_000 });
      await bars.first().waitFor();
      const groupRows = await page.locator('table tbody tr').allTextContents();

      expect(groupRows).not.toEqual(serviceRows);
      expect(groupRows.some(row => row.startsWith('rg-'))).toBe(true);
      await page.screenshot({
        // docs/images/spend-tab.png is a copy of this screenshot.
        path: path.join(screenshots, 'spend-tab.png'),
        fullPage: true,
      });
    } catch (error) {
      await page.screenshot({
        path: path.join(screenshots, 'spend-tab-failure.png'),
        fullPage: true,
      });
      throw error;
    } finally {
      await browser.close();
    }
  }, 240_000);

  it("prints no authorization code, state, token or client secret anywhere in the demo's output, Backstage's access log included", async () => {
    expect(answer.code).toBeDefined();
    expect(answer.state).toBeDefined();
    const secrets = {
      'the authorization code': [answer.code!],
      'the OAuth state': [answer.state!],
      'the client secret': [DEMO_APP.clientSecret],
    };
    // The access log is in the output: the callback's line, with its path and nothing else.
    expect(demo.output()).toMatch(
      /"POST \/api\/azure-tenant\/onboarding\/callback HTTP\/1\.1" 303/,
    );
    expect(findSecrets(demo.output(), secrets)).toEqual([]);

    // The scan can fail: a code planted in a callback address (never redeemed) is printed by Backstage's access log,
    // and found.
    const planted = `1.emu.planted-${Date.now().toString(36)}`;
    const response = await fetch(
      `${BACKEND_URL}/api/azure-tenant/onboarding/callback?state=${'x'.repeat(
        43,
      )}&code=${planted}`,
    );
    expect(response.status).toBe(400);
    await eventually(async () => {
      expect(
        findSecrets(demo.output(), { 'a planted code': [planted] }),
      ).toEqual([
        expect.stringMatching(
          /^a planted code: .*GET \/api\/azure-tenant\/onboarding\/callback\?/,
        ),
      ]);
    });
  }, 60_000);
});
