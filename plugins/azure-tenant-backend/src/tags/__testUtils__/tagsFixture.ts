import express from 'express';
import { ConfigReader } from '@backstage/config';
import {
  mockCredentials,
  mockErrorHandler,
  mockServices,
} from '@backstage/backend-test-utils';
import { AuditorService } from '@backstage/backend-plugin-api';
import { catalogEntityReadPermission } from '@backstage/plugin-catalog-common/alpha';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { AzureEmulator, RequestLogEntry } from '@azure-tenant/azure-emulator';
import { Knex } from 'knex';
import { AzureConnection } from '../../azure/azureConnection';
import { readAzureTenantConfig } from '../../config/AzureTenantConfig';
import {
  createSyncFixture,
  DEMO_SUBSCRIPTIONS,
} from '../../__testUtils__/syncFixture';
import { createAzureTagsClient } from '../azureTagsClient';
import { createTagsRouter } from '../createTagsRouter';
import { TagService } from '../TagService';
import { emulatorConnectionConfig } from '@azure-tenant/test-support';

/** An audit event as the fake auditor recorded it. */
export interface RecordedAudit {
  eventId: string;
  meta?: Record<string, unknown>;
  outcome?: 'success' | 'fail';
  resultMeta?: Record<string, unknown>;
  error?: Error;
}

/** An auditor that records each event and how it ended. */
export function recordingAuditor(): AuditorService & {
  events: RecordedAudit[];
} {
  const events: RecordedAudit[] = [];
  return {
    events,
    createEvent: async options => {
      const event: RecordedAudit = {
        eventId: options.eventId,
        meta: options.meta as Record<string, unknown>,
      };
      events.push(event);
      return {
        success: async params => {
          event.outcome = 'success';
          event.resultMeta = params?.meta as Record<string, unknown>;
        },
        fail: async params => {
          event.outcome = 'fail';
          event.error = params.error;
          event.resultMeta = params.meta as Record<string, unknown>;
        },
      };
    },
  };
}

/** The Azure connection of the demo app, talking to the emulator. */
export function emulatorConnection(emulator: AzureEmulator): AzureConnection {
  const config = new ConfigReader({
    app: { baseUrl: 'http://localhost:3000' },
    backend: { baseUrl: 'http://localhost:7007' },
    azureTenant: {
      ...emulatorConnectionConfig(emulator),
    },
  });
  return new AzureConnection(readAzureTenantConfig(config)!);
}

/** Requests to Azure that change something, other than token requests. */
export function azureWrites(entries: RequestLogEntry[]): RequestLogEntry[] {
  return entries.filter(
    r =>
      !['GET', 'HEAD', 'OPTIONS'].includes(r.method) &&
      !/\/oauth2\//i.test(r.path),
  );
}

/** The only Azure write the tag feature may send. */
export const TAG_WRITE_PATH =
  /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/.+\/providers\/Microsoft\.Resources\/tags\/default$/i;

/**
 * The tags API on a test database, after a first sync of the demo subscriptions from the emulator. `allow` decides
 * azure-tenant.tags.update.
 */
export async function createTagsFixture(knex: Knex, emulator: AzureEmulator) {
  const sync = await createSyncFixture(knex, emulator);
  await sync.service.syncDue();
  const tags = sync.resources;
  const tagService = new TagService({
    store: sync.store,
    tags,
    azure: createAzureTagsClient({ connection: emulatorConnection(emulator) }),
    events: sync.events,
    logger: mockServices.logger.mock(),
  });
  const auditor = recordingAuditor();
  /** `read`: the catalog's read permission on the entity; `allow`: every other permission. */
  const permission = { allow: true, read: true };
  const authorize = jest.fn(
    async (requests: Array<{ permission: { name: string } }>) =>
      requests.map(r => ({
        result: (
          r.permission.name === catalogEntityReadPermission.name
            ? permission.read
            : permission.allow
        )
          ? AuthorizeResult.ALLOW
          : AuthorizeResult.DENY,
      })),
  );
  const app = express()
    .use(
      await createTagsRouter({
        tagService,
        httpAuth: mockServices.httpAuth({
          defaultCredentials: mockCredentials.user('user:default/alice'),
        }),
        permissions: { authorize, authorizeConditional: jest.fn() } as any,
        auditor,
      }),
    )
    .use(mockErrorHandler());
  sync.events.published.length = 0;

  /** Synced resources of a subscription, in a stable order. */
  async function resourcesOf(subscriptionId: string) {
    const page = await sync.resources.listResources({ limit: 5000 });
    return page.items.filter(r => r.subscriptionId === subscriptionId);
  }

  return {
    ...sync,
    tags,
    tagService,
    auditor,
    permission,
    authorize,
    app,
    resourcesOf,
    subscriptions: DEMO_SUBSCRIPTIONS,
  };
}
