/*
 * bench:budgets — how long after a spend sync every budget is evaluated and its alerts recorded.
 *
 *   npm run bench:budgets -- --budgets 1000 --subscriptions 100 [--resources 10000] [--days 62]
 *                         [--database sqlite|postgres]
 *
 * It starts the Azure emulator in its own process with a generated tenant, then in this process: the plugin's
 * database (SQLite in a temporary file, or a fresh PostgreSQL database at
 * BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING), the real resource sync and spend sync against the emulator
 * (real SDKs over TLS), and `budgets` budgets stored in the budgets table: a third on whole subscriptions, a third on
 * resource groups, and the rest on custom groups (two subscriptions, a resource group and a tag filter) and on
 * catalog entities (teams owning systems whose components depend on resources, rolled up through the catalog). The
 * clock is what a user waits for after the spend sync: one `BudgetEvaluator.evaluate()` of every budget, with the
 * real evaluation store recording each threshold crossed (notifications go to a stub that counts them). A second
 * evaluation, where every threshold is already alerted, is timed too.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import {
  Budget,
  BudgetScope,
} from '../../plugins/azure-tenant-common/src/budgets';
import { ANNOTATION_AZURE_RESOURCE_ID } from '../../plugins/azure-tenant-common/src/annotations';
import { createCostManagementReader } from '../../plugins/azure-tenant-backend/src/spend/costManagementReader';
import { DatabaseSpendStore } from '../../plugins/azure-tenant-backend/src/spend/DatabaseSpendStore';
import { SpendSyncService } from '../../plugins/azure-tenant-backend/src/spend/SpendSyncService';
import { DatabaseBudgetStore } from '../../plugins/azure-tenant-backend/src/budgets/DatabaseBudgetStore';
import { DatabaseBudgetEvaluationStore } from '../../plugins/azure-tenant-backend/src/budgets/DatabaseBudgetEvaluationStore';
import { BudgetEvaluator } from '../../plugins/azure-tenant-backend/src/budgets/BudgetEvaluator';
import { BudgetScopeResolver } from '../../plugins/azure-tenant-backend/src/budgets/BudgetScopeResolver';
import { ScopeSpendReader } from '../../plugins/azure-tenant-backend/src/budgets/ScopeSpendReader';
import { ExchangeRates } from '../../plugins/azure-tenant-backend/src/budgets/exchangeRates';
import { NotificationSpendAlertNotifier } from '../../plugins/azure-tenant-backend/src/budgets/SpendAlertNotifier';
import {
  BenchDatabase,
  createResourceSync,
  machineDescription,
  openDatabase,
  quietLogger,
  startEmulator,
} from './benchSupport';

interface Options {
  budgets: number;
  subscriptions: number;
  resources: number;
  days: number;
  database: BenchDatabase;
}

/** The target on SQLite on the project machine: every budget evaluated within this many seconds of a spend sync. */
const TARGET_SECONDS = 10;

function parseOptions(args: string[]): Options {
  const options: Options = {
    budgets: 1000,
    subscriptions: 100,
    resources: 10_000,
    days: 62,
    database: 'sqlite',
  };
  for (let i = 0; i < args.length; i += 2) {
    const [name, value] = [args[i], args[i + 1]];
    switch (name) {
      case '--budgets':
      case '--subscriptions':
      case '--resources':
      case '--days': {
        const key = name.slice(2) as 'budgets';
        options[key] = Number(value);
        if (!(Number.isInteger(options[key]) && options[key] > 0)) {
          throw new Error(`${name} must be a positive whole number`);
        }
        break;
      }
      case '--database':
        if (value !== 'sqlite' && value !== 'postgres') {
          throw new Error('--database is sqlite or postgres');
        }
        options.database = value;
        break;
      default:
        throw new Error(`Unknown argument ${name}`);
    }
  }
  return options;
}

/** A deterministic pick, so that two runs build the same budgets. */
function pick<T>(items: T[], n: number): T {
  return items[(n * 7919) % items.length];
}

function resourceEntity(name: string, resourceId: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: {
      name,
      namespace: 'azure',
      annotations: { [ANNOTATION_AZURE_RESOURCE_ID]: resourceId },
    },
    spec: { type: 'azure-resource', owner: 'group:default/unowned' },
  };
}

function related(
  kind: string,
  name: string,
  relations: Array<[string, string]>,
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind,
    metadata: { name, namespace: 'default' },
    spec: {},
    relations: relations.map(([type, targetRef]) => ({ type, targetRef })),
  };
}

/**
 * Teams for the entity-scoped budgets: each owns a system with a component that depends on ten resources, and owns
 * ten resources directly.
 */
function catalogOfTeams(resourceIds: string[], teams: number) {
  const entities: Entity[] = [];
  const refOf = (n: number) => `resource:azure/r-${n}`;
  resourceIds.forEach((id, n) => entities.push(resourceEntity(`r-${n}`, id)));
  for (let t = 0; t < teams; t++) {
    const owned = Array.from({ length: 10 }, (_, i) =>
      refOf((t * 20 + i) % resourceIds.length),
    );
    const used = Array.from({ length: 10 }, (_, i) =>
      refOf((t * 20 + 10 + i) % resourceIds.length),
    );
    entities.push(
      related('Group', `team-${t}`, [
        ['ownerOf', `system:default/system-${t}`],
        ...owned.map(ref => ['ownerOf', ref] as [string, string]),
      ]),
      related('System', `system-${t}`, [
        ['hasPart', `component:default/component-${t}`],
      ]),
      related(
        'Component',
        `component-${t}`,
        used.map(ref => ['dependsOn', ref] as [string, string]),
      ),
    );
  }
  return catalogServiceMock({ entities });
}

export async function main(args: string[]) {
  const options = parseOptions(args);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-budgets-'));
  const emulator = await startEmulator({
    generate: {
      subscriptions: options.subscriptions,
      resources: options.resources,
      days: options.days,
    },
    stateDir: dir,
  });
  const database = await openDatabase(options.database, dir);
  const { knex } = database;
  try {
    const { subscriptions, connection, service, resources } =
      await createResourceSync({ knex, emulator });
    let started = Date.now();
    const resourceReports = await service.syncDue();
    const resourceSyncSeconds = (Date.now() - started) / 1000;
    const failure = resourceReports.find(r => r.status === 'failed');
    if (failure) throw new Error(`The resource sync failed: ${failure.error}`);

    const spendStore = new DatabaseSpendStore(knex);
    const spendSync = new SpendSyncService({
      store: spendStore,
      reader: createCostManagementReader({ connection }),
      logger: quietLogger,
      config: {
        lookbackDays: options.days,
        restatementDays: 3,
        concurrency: 4,
      },
    });
    started = Date.now();
    const spendResults = await spendSync.syncAll();
    const spendSyncSeconds = (Date.now() - started) / 1000;
    const spendFailure = spendResults.find(r => r.status !== 'succeeded');
    if (spendFailure) {
      throw new Error(`The spend sync failed: ${spendFailure.error}`);
    }
    process.stderr.write(
      `bench:budgets: resource sync ${resourceSyncSeconds.toFixed(
        1,
      )} s, spend sync ${spendSyncSeconds.toFixed(1)} s\n`,
    );

    // What the budgets are made of: the synced subscriptions, resource groups, resources and their tags.
    const rows: Array<{ resource_id: string; tags: string | null }> =
      await knex('resources').select('resource_id', 'tags');
    const resourceIds = rows.map(r => r.resource_id);
    const groups = [
      ...new Set(
        resourceIds.map(id => {
          const [, , subscriptionId, , resourceGroup] = id.split('/');
          return JSON.stringify([subscriptionId, resourceGroup]);
        }),
      ),
    ].map(g => JSON.parse(g) as [string, string]);
    const tagPairs = [
      ...new Set(
        rows.flatMap(r =>
          Object.entries(r.tags ? JSON.parse(r.tags) : {}).map(([k, v]) =>
            JSON.stringify([k, v]),
          ),
        ),
      ),
    ].map(p => JSON.parse(p) as [string, string]);
    const subscriptionIds = subscriptions.map(s => s.subscriptionId);
    const teams = Math.max(1, Math.round(options.budgets * 0.15));

    const scopeOf = (n: number): BudgetScope => {
      const slot = n % 20;
      if (slot < 7) {
        return {
          kind: 'subscription',
          subscriptionId: pick(subscriptionIds, n),
        };
      }
      if (slot < 14) {
        const [subscriptionId, resourceGroup] = pick(groups, n);
        return { kind: 'resourceGroup', subscriptionId, resourceGroup };
      }
      if (slot < 17 || tagPairs.length === 0) {
        const [key, value] = tagPairs.length ? pick(tagPairs, n) : ['', ''];
        const [subscriptionId, resourceGroup] = pick(groups, n + 1);
        return {
          kind: 'customGroup',
          name: `Custom group ${n}`,
          subscriptionIds: [
            pick(subscriptionIds, n),
            pick(subscriptionIds, n + 3),
          ],
          resourceGroups: [{ subscriptionId, resourceGroup }],
          ...(key ? { tags: [{ key, value }] } : {}),
        };
      }
      return { kind: 'entity', entityRef: `group:default/team-${n % teams}` };
    };
    const budgetStore = new DatabaseBudgetStore(knex);
    const at = new Date().toISOString();
    const periods: Budget['period'][] = [
      { type: 'monthly' },
      { type: 'quarterly', startMonth: 2 },
      { type: 'yearly', startMonth: 4 },
    ];
    for (let n = 0; n < options.budgets; n++) {
      await budgetStore.create({
        id: `bench-${n}`,
        name: `Bench budget ${n}`,
        scope: scopeOf(n),
        // Amounts from tiny to large, so that some budgets cross every threshold and others none.
        amount: 10 ** (1 + (n % 6)),
        currency: 'USD',
        period: periods[n % periods.length],
        thresholds: [
          { type: 'actual', percent: 50 },
          { type: 'actual', percent: 80 },
          { type: 'actual', percent: 100 },
          { type: 'forecast', percent: 100 },
        ],
        owner: `group:default/team-${n % teams}`,
        source: 'portal',
        createdAt: at,
        updatedAt: at,
      });
    }

    let notificationsSent = 0;
    const evaluations = new DatabaseBudgetEvaluationStore(knex);
    const evaluator = new BudgetEvaluator({
      budgets: budgetStore,
      evaluations,
      scopes: new BudgetScopeResolver({
        catalog: catalogOfTeams(resourceIds, teams),
        auth: mockServices.auth(),
        resources,
      }),
      spend: new ScopeSpendReader({ store: spendStore }),
      // One subscription in four is billed in EUR (the emulator's generated tenant): converted, as an organisation would.
      rates: new ExchangeRates([{ from: 'EUR', to: 'USD', rate: 1.08 }]),
      notifier: new NotificationSpendAlertNotifier({
        store: evaluations,
        notifications: {
          send: async () => {
            notificationsSent++;
          },
        },
        // Audit events are not what is measured here.
        auditor: {
          createEvent: async () => ({
            success: async () => {},
            fail: async () => {},
          }),
        },
        logger: quietLogger,
      }),
      logger: quietLogger,
    });

    started = Date.now();
    const first = await evaluator.evaluate();
    const firstSeconds = (Date.now() - started) / 1000;
    started = Date.now();
    const second = await evaluator.evaluate();
    const secondSeconds = (Date.now() - started) / 1000;
    const states: Array<{ state: string; count: number | string }> = await knex(
      'budget_evaluations',
    )
      .select('state')
      .count({ count: '*' })
      .groupBy('state');

    const figures = {
      machine: machineDescription(),
      loadAverage: os.loadavg().map(l => Number(l.toFixed(2))),
      database: options.database,
      subscriptions: subscriptionIds.length,
      resources: resourceIds.length,
      days: options.days,
      spendRows: Number((await knex('spend_daily').count({ n: '*' }))[0].n),
      resourceSyncSeconds,
      spendSyncSeconds,
      budgets: options.budgets,
      firstEvaluation: {
        seconds: firstSeconds,
        evaluated: first.evaluated,
        alerts: first.alerts,
        notificationsSent,
      },
      secondEvaluation: {
        seconds: secondSeconds,
        evaluated: second.evaluated,
        alerts: second.alerts,
      },
      states: Object.fromEntries(states.map(s => [s.state, Number(s.count)])),
      targetSeconds: TARGET_SECONDS,
      withinTarget: firstSeconds <= TARGET_SECONDS,
    };
    process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
  } finally {
    await database.drop();
    emulator.process.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
