import fs from 'node:fs';
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
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { launchChromium } from '../support/chromium';
import { eventually } from '../../packages/reliability-kit/src/eventually';

// The README's first quick-start command must serve the portal within five minutes.
const STARTUP_BUDGET_MS = 5 * 60_000;

describe('the demo portal (quick start: npm start)', () => {
  let demo: DemoPortal;
  let startupMs: number;

  beforeAll(async () => {
    const startedAt = Date.now();
    demo = startDemoPortal();
    const isAlive = () => demo.process.exitCode === null;
    try {
      await waitForUrl(`${BACKEND_URL}/api/azure-tenant/health`, {
        timeoutMs: STARTUP_BUDGET_MS,
        isAlive,
      });
      await waitForUrl(FRONTEND_URL, {
        timeoutMs: STARTUP_BUDGET_MS - (Date.now() - startedAt),
        isAlive,
      });
    } catch (error) {
      throw new Error(`${error}\n--- demo output ---\n${demo.output()}`);
    }
    startupMs = Date.now() - startedAt;
    process.stdout.write(
      `demo portal ready in ${(startupMs / 1000).toFixed(1)} s\n`,
    );
  }, STARTUP_BUDGET_MS + 30_000);

  afterAll(async () => {
    if (demo && demo.process.exitCode === null) {
      await demo.interrupt().catch(() => undefined);
    }
  });

  it('starts the local Azure emulator before Backstage', () => {
    expect(demo.output()).toMatch(
      /Azure emulator ready at https:\/\/localhost:\d+/,
    );
    expect(startupMs).toBeLessThan(STARTUP_BUDGET_MS);
  });

  it('answers GET /api/catalog/entities for a signed-in user, and refuses anonymous callers', async () => {
    const anonymous = await fetch(`${BACKEND_URL}/api/catalog/entities`);
    expect(anonymous.status).toBe(401);

    // The catalog ingests its locations in the background after start-up.
    const token = await guestToken();
    const names = await eventually(async () => {
      const response = await fetch(
        `${BACKEND_URL}/api/catalog/entities/by-query?filter=kind=component`,
        { headers: { authorization: `Bearer ${token}` } },
      );
      expect(response.status).toBe(200);
      const { items } = await response.json();
      const found = items.map((e: any) => e.metadata.name);
      expect(found).toContain('azure-tenant-for-backstage');
      return found;
    });
    expect(names).toContain('azure-tenant-for-backstage');
  }, 120_000);

  it('signs the guest in and shows the catalog page in Chromium', async () => {
    const browser = await launchChromium();
    try {
      const screenshots = path.join(repoRoot, 'test-results');
      fs.mkdirSync(screenshots, { recursive: true });
      const page = await browser.newPage();
      await page.goto(FRONTEND_URL);
      await page.getByRole('button', { name: 'Enter' }).click();
      const entityLink = page.getByRole('link', {
        name: /azure-tenant-for-backstage|Azure Tenant for Backstage/,
      });
      await entityLink
        .first()
        .waitFor({ timeout: 60_000 })
        .catch(async error => {
          await page.screenshot({
            path: path.join(screenshots, 'catalog-failure.png'),
          });
          throw error;
        });
      expect(await page.title()).toContain('Azure Tenant for Backstage');

      await page.screenshot({ path: path.join(screenshots, 'catalog.png') });
    } finally {
      await browser.close();
    }
  }, 120_000);

  it('serves the Azure tenant actions to an MCP client with the guest token', async () => {
    const client = new Client({ name: 'demo-portal-e2e', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(
        new URL(`${BACKEND_URL}/api/mcp-actions/v1`),
        {
          requestInit: {
            headers: { authorization: `Bearer ${await guestToken()}` },
          },
        },
      ),
    );
    try {
      const { tools } = await client.listTools();
      expect(
        tools
          .map(tool => tool.name)
          .filter(name => name.startsWith('azure-tenant.'))
          .sort(),
      ).toEqual(
        [
          'apply-tag-fixes',
          'create-budget',
          'create-tag-policy',
          'delete-budget',
          'delete-tag-policy',
          'find-resources',
          'get-resource-tags',
          'get-savings',
          'get-showback',
          'get-spend',
          'get-tag-compliance',
          'get-tag-fix-job',
          'list-azure-budgets',
          'list-azure-tag-policies',
          'list-budget-alerts',
          'list-budgets',
          'list-subscriptions',
          'list-tag-compliance',
          'list-tag-policies',
          'list-tenants',
          'mute-budget',
          'preview-tag-fixes',
          'request-subscription-sync',
          'set-subscription-sync-mode',
          'update-budget',
          'update-resource-tags',
          'update-tag-policy',
        ].map(name => `azure-tenant.${name}`),
      );
      // A read as the guest: the call reaches the plugin with the guest's own token.
      const result = await client.callTool({
        name: 'azure-tenant.list-tenants',
        arguments: {},
      });
      expect(result.isError).toBeFalsy();
      expect(result.structuredContent).toEqual({
        tenants: expect.any(Array),
      });
    } finally {
      await client.close();
    }
  }, 60_000);

  it('stops cleanly on Ctrl-C', async () => {
    const exitCode = await demo.interrupt();
    expect(exitCode).toBe(0);
    await expect(
      fetch(`${BACKEND_URL}/api/azure-tenant/health`),
    ).rejects.toThrow();
  }, 60_000);
});
