import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { LoggerService } from '@backstage/backend-plugin-api';
import {
  AzureEmulator,
  DEMO_APP,
  DEMO_SUBSCRIPTIONS,
  DEMO_TENANT,
  DEMO_USER,
  startAzureEmulator,
} from '@azure-tenant/azure-emulator';
import type { ConfidentialClientApplication } from '@azure/msal-node';
import { Knex } from 'knex';
import { AzureAccessProblem } from '@azure-tenant/plugin-azure-tenant-common';
import { signInAtEmulator } from '../__testUtils__/entraSignIn';
import { emulatorConnection } from '../azure/__testUtils__/emulatorConnection';
import { resolveRoles } from '../azure/builtInRoles';
import { DatabaseAzureTenantStore } from '../database/DatabaseAzureTenantStore';
import { migrateDatabase } from '../database/migrations';
import { OnboardingService } from './OnboardingService';

/**
 * Every msal client that redeemed an authorization code, and the user's tokens msal handed out, so the test can look
 * for them later. (`@azure/identity`'s app-only credentials are msal clients too, which redeem no code.)
 */
const mockMsal: {
  clients: ConfidentialClientApplication[];
  tokens: string[];
} = { clients: [], tokens: [] };

jest.mock('@azure/msal-node', () => {
  const actual = jest.requireActual('@azure/msal-node');
  class RecordedConfidentialClientApplication extends actual.ConfidentialClientApplication {
    async acquireTokenByCode(...args: unknown[]) {
      mockMsal.clients.push(this as any);
      const result = await super.acquireTokenByCode(...args);
      mockMsal.tokens.push(result.accessToken, result.idToken);
      return result;
    }
  }
  return {
    ...actual,
    ConfidentialClientApplication: RecordedConfidentialClientApplication,
  };
});

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

let emulator: AzureEmulator;
let stateDir: string;

beforeAll(async () => {
  stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'onboarding-service-'));
  emulator = await startAzureEmulator({ port: 0, stateDir });
});

afterAll(async () => {
  await emulator?.stop();
  fs.rmSync(stateDir, { recursive: true, force: true });
});

/** A logger that keeps every line, with its metadata and any error it was given. */
function recordingLogger(lines: string[]): LoggerService {
  const write =
    (level: string) =>
    (message: string, meta?: Error | Record<string, unknown>) => {
      const extra =
        meta instanceof Error
          ? { error: meta.message, stack: meta.stack }
          : meta;
      lines.push(JSON.stringify({ level, message, ...extra }));
    };
  const logger: LoggerService = {
    error: write('error'),
    warn: write('warn'),
    info: write('info'),
    debug: write('debug'),
    child: () => logger,
  };
  return logger;
}

async function everyTable(knex: Knex): Promise<string> {
  const names: string[] =
    knex.client.config.client === 'pg'
      ? (
          await knex('information_schema.tables')
            .where({ table_schema: knex.raw('current_schema()') })
            .select('table_name')
        ).map((row: { table_name: string }) => row.table_name)
      : (
          await knex('sqlite_master').where({ type: 'table' }).select('name')
        ).map((row: { name: string }) => row.name);
  const rows = await Promise.all(
    names.map(async name => ({ name, rows: await knex(name).select() })),
  );
  return JSON.stringify(rows);
}

describe.each(databases.eachSupportedId())(
  'OnboardingService, on %s',
  databaseId => {
    it('keeps no access, refresh or ID token in the database, the logs, or msal-node’s cache', async () => {
      const knex = await databases.init(databaseId);
      await migrateDatabase(knex);
      const store = new DatabaseAzureTenantStore(knex);
      const connection = emulatorConnection(emulator, {
        onboarding: { principalNotFoundRetryDelay: { milliseconds: 10 } },
      });
      const logLines: string[] = [];
      const service = new OnboardingService({
        store,
        connection,
        roles: resolveRoles(connection.config.roles),
        logger: recordingLogger(logLines),
        auditor: mockServices.auditor.mock(),
      });
      mockMsal.clients.length = 0;
      mockMsal.tokens.length = 0;

      const start = await service.start({
        kind: 'connect',
        startedBy: 'user:default/guest',
      });
      const redirect = await signInAtEmulator(start.authorizeUrl, {
        caCert: emulator.caCert,
        loginHint: DEMO_USER.userPrincipalName,
      });
      const outcome = await service.handleCallback(
        Object.fromEntries(redirect.entries()),
      );
      expect(outcome.type).toBe('redirect');
      await service.drain();
      const onboarding = await service.getOnboarding(start.onboardingId);
      expect(onboarding).toMatchObject({
        status: 'succeeded',
        tenantId: DEMO_TENANT.id,
      });

      // One client, made for this redemption, whose cache holds nothing once the redemption is over.
      expect(mockMsal.clients).toHaveLength(1);
      const cache = JSON.parse(mockMsal.clients[0].getTokenCache().serialize());
      expect(cache).toMatchObject({
        AccessToken: {},
        RefreshToken: {},
        IdToken: {},
        Account: {},
      });
      for (const kind of ['AccessToken', 'RefreshToken', 'IdToken']) {
        expect(Object.keys(cache[kind])).toEqual([]);
      }

      // msal did hand out an access token and an ID token; neither is anywhere the portal keeps or writes things.
      expect(mockMsal.tokens).toHaveLength(2);
      const dump = await everyTable(knex);
      const logText = logLines.join('\n');
      expect(dump).toContain(start.onboardingId);
      expect(logText).toContain(`Onboarded tenant ${DEMO_TENANT.id}`);
      for (const haystack of [dump, logText]) {
        for (const token of mockMsal.tokens) {
          expect(haystack).not.toContain(token);
          // A token's signature alone is enough to find a copy of it.
          expect(haystack).not.toContain(token.split('.')[2]);
        }
        expect(haystack).not.toMatch(/eyJ[\w-]+\.eyJ[\w-]+\./);
        expect(haystack).not.toContain(redirect.get('code')!);
        expect(haystack).not.toContain(DEMO_APP.clientSecret);
      }
    });

    it('Reconnect: the tenant reaches the authorize URL of Entra ID, and a reconnect that works clears the lost access of the tenant and its subscriptions at once', async () => {
      const knex = await databases.init(databaseId);
      await migrateDatabase(knex);
      const store = new DatabaseAzureTenantStore(knex);
      const connection = emulatorConnection(emulator, {
        onboarding: { principalNotFoundRetryDelay: { milliseconds: 10 } },
      });
      const service = new OnboardingService({
        store,
        connection,
        roles: resolveRoles(connection.config.roles),
        logger: mockServices.logger.mock(),
        auditor: mockServices.auditor.mock(),
      });
      const onboard = async (tenantId?: string) => {
        const start = await service.start({
          kind: 'connect',
          startedBy: 'user:default/guest',
          ...(tenantId ? { tenantId } : {}),
        });
        const redirect = await signInAtEmulator(start.authorizeUrl, {
          caCert: emulator.caCert,
          loginHint: DEMO_USER.userPrincipalName,
        });
        await service.handleCallback(Object.fromEntries(redirect.entries()));
        await service.drain();
        expect(await service.getOnboarding(start.onboardingId)).toMatchObject({
          status: 'succeeded',
          tenantId: DEMO_TENANT.id,
        });
        return start;
      };
      await onboard();
      const registered = (
        await store.listSubscriptions({ tenantId: DEMO_TENANT.id })
      ).map(s => s.subscriptionId);
      // The demo user owns two of the demo tenant's subscriptions (and reads the third, registered here as it would
      // be from config).
      expect(registered).toHaveLength(2);
      const [platform, payments] = registered;
      const dataEurope = DEMO_SUBSCRIPTIONS.dataEurope;
      await store.register(
        { tenantId: DEMO_TENANT.id, source: 'config', at: new Date() },
        [
          {
            subscriptionId: dataEurope,
            tenantId: DEMO_TENANT.id,
            displayName: 'Data Europe',
            source: 'config',
            grantedRoles: [],
            roleStatus: 'unknown',
            initialSyncMode: 'read-write-tags',
            at: new Date(),
          },
        ],
      );

      // The portal holds a token of the service principal, as after any sync: it stays valid after the deletion.
      await connection
        .appCredential(DEMO_TENANT.id)
        .getToken('https://management.azure.com/.default');
      // Consent revoked in Azure (the enterprise app deleted) and the states the syncs keep meanwhile.
      const before = emulator.control.servicePrincipal(
        DEMO_TENANT.id,
        DEMO_APP.clientId,
      )!;
      emulator.control.deleteServicePrincipal(
        DEMO_TENANT.id,
        DEMO_APP.clientId,
      );
      const at = new Date();
      const retryDelayMs = () => 3_600_000;
      const lost = (problem: AzureAccessProblem) => ({
        problem,
        message: problem,
        at,
        retryDelayMs,
      });
      await store.recordAccessProblem(
        { tenantId: DEMO_TENANT.id },
        lost('consent-revoked'),
      );
      await store.recordAccessProblem(
        { subscriptionId: platform },
        lost('read-denied'),
      );
      await store.recordAccessProblem(
        { subscriptionId: payments },
        lost('tag-write-denied'),
      );
      await store.recordAccessProblem(
        { subscriptionId: dataEurope },
        lost('subscription-disabled'),
      );

      // Reconnect sends the admin to that tenant's own sign-in, not to the configured one.
      const start = await onboard(DEMO_TENANT.id);
      const authorize = new URL(start.authorizeUrl);
      expect(authorize.pathname).toBe(
        `/${DEMO_TENANT.id}/oauth2/v2.0/authorize`,
      );

      // Consent again made a new service principal; the portal knows it, and its app-only token works at once.
      const after = emulator.control.servicePrincipal(
        DEMO_TENANT.id,
        DEMO_APP.clientId,
      )!;
      expect(after.objectId).not.toBe(before.objectId);
      const [tenant] = await store.listTenants();
      expect(tenant.servicePrincipalId).toBe(after.objectId);
      expect(tenant.access).toBeUndefined();
      // The roles went to the new principal (the deleted one's assignments are orphaned, not "already present").
      expect(
        emulator.control
          .listRoleAssignments({ principalId: after.objectId })
          .map(assignment => assignment.scope.toLowerCase()),
      ).toEqual(
        expect.arrayContaining([
          `/subscriptions/${platform}`.toLowerCase(),
          `/subscriptions/${payments}`.toLowerCase(),
        ]),
      );
      await expect(
        connection
          .appCredential(DEMO_TENANT.id)
          .getToken('https://management.azure.com/.default'),
      ).resolves.toMatchObject({ token: expect.any(String) });
      // The roles are assigned again, so a removed role is back; a disabled subscription is Azure's to enable.
      const access = async (id: string) =>
        (await store.getSubscription(id))!.access?.problem;
      expect(await access(platform)).toBeUndefined();
      expect(await access(payments)).toBeUndefined();
      expect(await access(dataEurope)).toBe('subscription-disabled');
      // Synced again at once rather than after the back-off.
      expect((await store.getSubscription(platform))!.syncRequestedAt).toEqual(
        expect.any(String),
      );
    });
  },
);
