/*
 * Checks that the stock catalog entity page of a subscription stays readable with 10,000 resources, and shoots it.
 * It starts the emulator with a generated tenant of one subscription holding `--resources` resources (10,000 by
 * default) and the demo portal (packages/app, the new frontend system with the catalog's stock entity page) against
 * it, connects the tenant in Chromium, waits until the catalog holds the subscription's resource group entities, and
 * measures the subscription's Overview (page height, the nodes the catalog graph card drew, and those it would draw at
 * its default depth from the entity's relations) and the Overview of its largest resource group. The demo app has the
 * catalog graph card of a create-app portal (`@backstage/plugin-catalog-graph`), so each Overview is measured once
 * that card has drawn its graph. Writes docs/images/subscription-overview-10k.png and prints the figures as JSON with
 * the load average.
 *
 *   node test/support/bigSubscriptionScreenshot.js [--resources 10000] [--level resources|resource-groups]
 *
 * `--level` sets catalog.providers.azureTenant.entities.level for the run (default: the module's default,
 * `resources`). Uses the demo's ports (3000, 7007, 7443): stop a running demo first.
 */
import { ChildProcess, spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import type { Page } from 'playwright-core';
import { eventually } from '@azure-tenant/test-support';
import { launchChromium, trustCertificateArg } from './chromium';
import {
  BACKEND_URL,
  FRONTEND_URL,
  guestToken,
  repoRoot,
  waitForUrl,
} from './demoPortal';
import {
  backendApi,
  connectDemoTenant,
  emulatorServerCertificate,
  signInAsGuest,
} from './demoTenant';

const WIDTH = 1366;
const SEED = 11;
const IMAGE = path.join(repoRoot, 'docs/images/subscription-overview-10k.png');

function argument(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

/** A child in its own process group, so that the dev servers it starts stop with it. */
function start(
  command: string[],
  options: {
    env?: NodeJS.ProcessEnv;
    cwd?: string;
    stdout?: 'pipe' | 'ignore';
  } = {},
): ChildProcess {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...options.env,
    BROWSER: 'none',
  };
  if (!options.env?.NODE_ENV) delete env.NODE_ENV;
  return spawn(process.execPath, command, {
    cwd: options.cwd ?? repoRoot,
    stdio: ['ignore', options.stdout ?? 'ignore', 'ignore'],
    env,
    detached: true,
  });
}

function stopGroup(child: ChildProcess | undefined) {
  if (child?.pid && child.exitCode === null) {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
}

/** The emulator's ready line: its address and CA file, which the backend's config reads from the environment. */
function emulatorReady(
  child: ChildProcess,
): Promise<{ url: string; authorityHost: string; caCertFile: string }> {
  return new Promise((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout! });
    lines.on('line', line => {
      if (!line.startsWith('{')) return;
      try {
        const event = JSON.parse(line);
        if (event.event === 'ready') resolve(event);
      } catch {
        // not the ready line
      }
    });
    child.on('exit', code =>
      reject(new Error(`the emulator exited (${code}) before it was ready`)),
    );
  });
}

async function catalogQuery(token: string, filters: string[]) {
  const query = filters.map(f => `filter=${encodeURIComponent(f)}`).join('&');
  return backendApi(
    token,
    'GET',
    `catalog/entities/by-query?${query}&limit=1&fields=metadata.name`,
  );
}

/**
 * The nodes drawn by the catalog graph card of the entity page shown, once it has drawn them: the card (its "Relations"
 * title and its "View graph" link to /catalog-graph) shows a progress bar while it reads the related entities, and
 * draws every node at once when it has them. Fails, naming the card, if it never does.
 */
async function graphCardNodes(page: Page): Promise<number> {
  const drawn = await page
    .waitForFunction(
      () => {
        const link = document.querySelector('main a[href*="/catalog-graph?"]');
        let card = link?.parentElement ?? null;
        while (
          card &&
          !Array.from(card.querySelectorAll('h3')).some(
            h => h.textContent?.trim() === 'Relations',
          )
        ) {
          card = card.parentElement;
        }
        if (!card || card.querySelector('[role="progressbar"]')) return 0;
        return card.querySelectorAll('svg [data-testid="node"]').length;
      },
      undefined,
      { timeout: 180_000, polling: 500 },
    )
    .catch(error => {
      throw new Error(
        `the catalog graph card (entity-card:catalog-graph/relations) drew no graph on ${page.url()}: ${error}`,
      );
    });
  return (await drawn.jsonValue()) as number;
}

/** Height, graph nodes and links to resource entities of the entity page shown, once its graph card has drawn. */
async function measure(page: Page) {
  const graphNodes = await graphCardNodes(page);
  return {
    ...(await page.evaluate(() => ({
      pageHeightPx: document.documentElement.scrollHeight,
      resourceLinks: document.querySelectorAll(
        'main a[href*="/catalog/default/resource/"]',
      ).length,
    }))),
    graphNodes,
  };
}

/**
 * The nodes that the catalog graph card (`@backstage/plugin-catalog-graph`, on the Overview of a create-app portal)
 * draws at its default depth of 1: the entity and every entity it has a relation with.
 */
async function graphNodesAtDepthOne(token: string, entityName: string) {
  const entity = await backendApi(
    token,
    'GET',
    `catalog/entities/by-name/resource/default/${entityName}`,
  );
  const relations: Array<{ type: string; targetRef: string }> =
    entity.relations ?? [];
  return {
    nodes: 1 + new Set(relations.map(r => r.targetRef)).size,
    dependsOn: relations.filter(r => r.type === 'dependsOn').length,
  };
}

/** Settled when no card of the page shows a progress bar any more (the tag compliance card loads last). */
async function settled(page: Page): Promise<void> {
  await page
    .waitForFunction(
      () => !document.querySelector('[role="progressbar"]'),
      undefined,
      {
        timeout: 180_000,
        polling: 500,
      },
    )
    .catch(error => {
      throw new Error(`a card of ${page.url()} is still loading: ${error}`);
    });
  await page.evaluate(() => document.fonts.ready);
}

export async function main(args: string[]): Promise<void> {
  const resources = Number(argument(args, '--resources') ?? 10_000);
  const level = argument(args, '--level');
  const loadAtStart = os.loadavg();
  let emulator: ChildProcess | undefined;
  let backend: ChildProcess | undefined;
  let frontend: ChildProcess | undefined;
  try {
    emulator = start(
      [
        'packages/azure-emulator/bin/azure-emulator.js',
        '--port',
        process.env.AZURE_EMULATOR_PORT ?? '7443',
        '--generate',
        `subscriptions=1,resources=${resources},days=2,seed=${SEED}`,
      ],
      { stdout: 'pipe' },
    );
    const ready = await emulatorReady(emulator);
    // The backend runs without the dev server's watch: other work in the checkout would restart it, and its
    // in-memory database with it, in the middle of the run.
    backend = start(
      [
        '-r',
        path.join(
          repoRoot,
          'node_modules/@backstage/cli/config/nodeTransform.cjs',
        ),
        'src/index.ts',
      ],
      {
        cwd: path.join(repoRoot, 'packages/backend'),
        env: {
          // As `backstage-cli package start` sets it: the demo's guest sign-in is for development only.
          NODE_ENV: 'development',
          AZURE_EMULATOR_URL: ready.url,
          AZURE_EMULATOR_AUTHORITY_HOST: ready.authorityHost,
          AZURE_EMULATOR_CA_FILE: ready.caCertFile,
          ...(level
            ? { APP_CONFIG_catalog_providers_azureTenant_entities_level: level }
            : {}),
        },
      },
    );
    frontend = start(
      [
        path.join(repoRoot, 'node_modules/@backstage/cli/bin/backstage-cli'),
        'package',
        'start',
      ],
      { cwd: path.join(repoRoot, 'packages/app') },
    );
    const isAlive = () =>
      backend!.exitCode === null && frontend!.exitCode === null;
    await waitForUrl(`${BACKEND_URL}/api/azure-tenant/health`, {
      timeoutMs: 600_000,
      isAlive,
    });
    await waitForUrl(FRONTEND_URL, { timeoutMs: 600_000, isAlive });

    const browser = await launchChromium({
      extraArgs: [trustCertificateArg(emulatorServerCertificate())],
    });
    try {
      const page = await browser.newPage({
        viewport: { width: WIDTH, height: 1000 },
      });
      await signInAsGuest(page);
      const token = await guestToken();
      let { items: subscriptions } = await backendApi(
        token,
        'GET',
        'azure-tenant/subscriptions',
      );
      if (subscriptions.length === 0) {
        await connectDemoTenant(page);
        ({ items: subscriptions } = await backendApi(
          token,
          'GET',
          'azure-tenant/subscriptions',
        ));
      }
      const subscriptionId: string = subscriptions[0].subscriptionId;
      const synced = Date.now();
      await eventually(
        async () => {
          const { items } = await backendApi(
            token,
            'GET',
            'azure-tenant/subscriptions',
          );
          const s = items.find((i: any) => i.subscriptionId === subscriptionId);
          if (s?.lastSync?.status !== 'succeeded') {
            throw new Error(`not synced yet: ${JSON.stringify(s?.lastSync)}`);
          }
        },
        { timeoutMs: 900_000, intervalMs: 3000 },
      );
      const syncMs = Date.now() - synced;

      // Settled when the subscription's entity depends on as many entities as there are resource group entities.
      const annotation = `metadata.annotations.management.azure.com/subscriptionId=${subscriptionId}`;
      const groupsOf = async () =>
        (
          await catalogQuery(token, [
            `kind=resource,spec.type=azure-resource-group,${annotation}`,
          ])
        ).totalItems as number;
      const catalogStarted = Date.now();
      const groups = await eventually(
        async () => {
          const count = await groupsOf();
          const entity = await backendApi(
            token,
            'GET',
            `catalog/entities/by-name/resource/default/azure-subscription-${subscriptionId}`,
          );
          const dependsOn = (entity.relations ?? []).filter(
            (r: any) => r.type === 'dependsOn',
          ).length;
          if (count === 0 || dependsOn !== count) {
            throw new Error(
              `${count} resource group entities, the subscription depends on ${dependsOn}`,
            );
          }
          return count;
        },
        { timeoutMs: 1_200_000, intervalMs: 5000 },
      );
      const catalogMs = Date.now() - catalogStarted;
      const resourceEntities = (
        await catalogQuery(token, [`kind=resource,${annotation}`])
      ).totalItems as number;

      await page.goto(
        `${FRONTEND_URL}/catalog/default/resource/azure-subscription-${subscriptionId}`,
      );
      await page
        .getByText(/Azure subscription/)
        .first()
        .waitFor({
          timeout: 120_000,
        });
      // The graph card first: its cards are then all mounted, and settled sees the ones still loading.
      await graphCardNodes(page);
      await settled(page);
      await page.screenshot({ path: IMAGE, fullPage: true });
      const overview = {
        ...(await measure(page)),
        catalogGraphAtDepthOne: await graphNodesAtDepthOne(
          token,
          `azure-subscription-${subscriptionId}`,
        ),
      };

      // The largest group's own Overview, where its resources are listed.
      const largest = await backendApi(
        token,
        'GET',
        `catalog/entities/by-query?filter=${encodeURIComponent(
          `kind=resource,spec.type=azure-resource-group,${annotation}`,
        )}&limit=100&fields=metadata.name,spec.azure.summary.resourceCount`,
      );
      const biggest = [...largest.items].sort(
        (a: any, b: any) =>
          b.spec.azure.summary.resourceCount -
          a.spec.azure.summary.resourceCount,
      )[0];
      await page.goto(
        `${FRONTEND_URL}/catalog/default/resource/${biggest.metadata.name}`,
      );
      await page
        .getByText(/Azure resource group/)
        .first()
        .waitFor({
          timeout: 120_000,
        });
      await graphCardNodes(page);
      await settled(page);
      const groupOverview = {
        ...(await measure(page)),
        catalogGraphAtDepthOne: await graphNodesAtDepthOne(
          token,
          biggest.metadata.name,
        ),
      };

      process.stdout.write(
        `${JSON.stringify(
          {
            resources,
            level: level ?? 'resources (default)',
            resourceGroupEntities: groups,
            entitiesOfTheSubscription: resourceEntities,
            subscriptionOverview: overview,
            largestGroup: {
              resourceCount: biggest.spec.azure.summary.resourceCount,
              overview: groupOverview,
            },
            waitedForFirstSyncMs: syncMs,
            catalogSettledMs: catalogMs,
            loadavgAtStart: loadAtStart,
            loadavgAtEnd: os.loadavg(),
            image: path.relative(repoRoot, IMAGE),
          },
          null,
          2,
        )}\n`,
      );
    } catch (error) {
      const [page] = browser.contexts().flatMap(context => context.pages());
      await page
        ?.screenshot({
          path: path.join(
            repoRoot,
            'test-results/big-subscription-screenshot-failure.png',
          ),
          fullPage: true,
        })
        .catch(() => undefined);
      throw error;
    } finally {
      await browser.close();
    }
  } finally {
    stopGroup(frontend);
    stopGroup(backend);
    stopGroup(emulator);
  }
}
