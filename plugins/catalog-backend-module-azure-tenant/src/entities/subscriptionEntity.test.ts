import {
  ANNOTATION_AZURE_ACCESS_PROBLEM,
  ANNOTATION_AZURE_ACCESS_SINCE,
  ANNOTATION_AZURE_LAST_SYNC_AT,
  ANNOTATION_AZURE_LAST_SYNC_ERROR,
  ANNOTATION_AZURE_LAST_SYNC_STATUS,
  ANNOTATION_AZURE_OWNER_SOURCE,
  ANNOTATION_AZURE_RESOURCE_ID,
  ANNOTATION_AZURE_SUBSCRIPTION_ID,
  ANNOTATION_AZURE_SYNC_MODE,
  ANNOTATION_AZURE_TENANT_ID,
  AZURE_SUBSCRIPTION_ENTITY_TYPE,
  AzureAccessStatus,
} from '@azure-tenant/plugin-azure-tenant-common';
import {
  ANNOTATION_LOCATION,
  ANNOTATION_ORIGIN_LOCATION,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import {
  SUBSCRIPTION_ID,
  TENANT_ID,
  subscription,
} from '../__fixtures__/azureFixtures';
import { buildAzureResourceGroupEntity } from './resourceGroupEntity';
import { AzureOwnerDirectory } from '@azure-tenant/plugin-azure-tenant-node';
import { buildAzureSubscriptionEntity } from './subscriptionEntity';

const OWNER = 'group:default/azure-admins';
const portalUrl = `https://portal.azure.com/#@${TENANT_ID}/resource/subscriptions/${SUBSCRIPTION_ID}/overview`;

describe('buildAzureSubscriptionEntity', () => {
  it('describes the subscription with its id, tenant, sync mode and owner', () => {
    const entity = buildAzureSubscriptionEntity(
      subscription({ syncMode: 'no-tags' }),
      { owner: OWNER },
    );

    expect(entity).toMatchObject({
      kind: 'Resource',
      metadata: {
        name: `azure-subscription-${SUBSCRIPTION_ID}`,
        title: 'Production',
        annotations: {
          [ANNOTATION_AZURE_RESOURCE_ID]: `/subscriptions/${SUBSCRIPTION_ID}`,
          [ANNOTATION_AZURE_SUBSCRIPTION_ID]: SUBSCRIPTION_ID,
          [ANNOTATION_AZURE_TENANT_ID]: TENANT_ID,
          [ANNOTATION_AZURE_SYNC_MODE]: 'no-tags',
          [ANNOTATION_LOCATION]: `url:${portalUrl}`,
          [ANNOTATION_ORIGIN_LOCATION]: `url:${portalUrl}`,
        },
      },
      spec: {
        type: AZURE_SUBSCRIPTION_ENTITY_TYPE,
        owner: OWNER,
        azure: {
          resourceId: `/subscriptions/${SUBSCRIPTION_ID}`,
          subscriptionId: SUBSCRIPTION_ID,
          tenantId: TENANT_ID,
        },
      },
    });
    expect(entity.metadata.description).toContain('No Tags');
    expect(entity.metadata.links).toEqual([
      expect.objectContaining({
        url: portalUrl,
        title: 'Open in Azure portal',
      }),
    ]);
  });

  it('says its owner is the default owner, unless told it came from a tag', () => {
    const entity = buildAzureSubscriptionEntity(subscription(), {
      owner: OWNER,
    });
    expect(entity.metadata.annotations?.[ANNOTATION_AZURE_OWNER_SOURCE]).toBe(
      'default',
    );
    const tagged = buildAzureSubscriptionEntity(subscription(), {
      owner: 'group:default/platform',
      ownerSource: 'tag',
    });
    expect(tagged.spec?.owner).toBe('group:default/platform');
    expect(tagged.metadata.annotations?.[ANNOTATION_AZURE_OWNER_SOURCE]).toBe(
      'tag',
    );
  });

  it('shows a failed last sync with its error', () => {
    const entity = buildAzureSubscriptionEntity(
      subscription({
        lastSync: {
          status: 'failed',
          finishedAt: '2025-01-02T03:04:05.000Z',
          error: 'AuthorizationFailed: the client has no Reader role',
        },
      }),
      { owner: OWNER },
    );
    expect(entity.metadata.annotations).toMatchObject({
      [ANNOTATION_AZURE_LAST_SYNC_STATUS]: 'failed',
      [ANNOTATION_AZURE_LAST_SYNC_AT]: '2025-01-02T03:04:05.000Z',
      [ANNOTATION_AZURE_LAST_SYNC_ERROR]:
        'AuthorizationFailed: the client has no Reader role',
    });
  });

  it('leaves the time out of a successful sync, so that a sync with no change rewrites nothing', () => {
    const at = (finishedAt: string) =>
      buildAzureSubscriptionEntity(
        subscription({ lastSync: { status: 'succeeded', finishedAt } }),
        { owner: OWNER },
      );
    const first = at('2025-01-02T03:04:05.000Z');
    expect(first.metadata.annotations).toMatchObject({
      [ANNOTATION_AZURE_LAST_SYNC_STATUS]: 'succeeded',
    });
    expect(first.metadata.annotations).not.toHaveProperty(
      ANNOTATION_AZURE_LAST_SYNC_AT,
    );
    expect(at('2025-01-02T04:04:05.000Z')).toEqual(first);
  });

  it('has no last-sync annotations before the first sync', () => {
    const entity = buildAzureSubscriptionEntity(subscription(), {
      owner: OWNER,
    });
    expect(entity.metadata.annotations).not.toHaveProperty(
      ANNOTATION_AZURE_LAST_SYNC_STATUS,
    );
    expect(entity.metadata.annotations).not.toHaveProperty(
      ANNOTATION_AZURE_LAST_SYNC_ERROR,
    );
  });

  it('is the entity that resource group entities depend on', () => {
    const sub = buildAzureSubscriptionEntity(subscription(), { owner: OWNER });
    const group = buildAzureResourceGroupEntity(
      {
        subscriptionId: subscription().subscriptionId.toUpperCase(),
        name: 'rg-web',
        resourceCount: 0,
        resourceTypes: [],
      },
      {
        tenantId: subscription().tenantId,
        ownerTagKey: 'owner',
        owners: AzureOwnerDirectory.empty(),
        defaultOwner: OWNER,
      },
    );
    expect(group.spec?.dependencyOf).toEqual([stringifyEntityRef(sub)]);
  });

  describe('while the portal has lost access', () => {
    const revoked: AzureAccessStatus = {
      problem: 'consent-revoked',
      message:
        "Microsoft Entra ID refused the portal's credentials in the tenant.",
      since: '2025-01-02T03:04:05.000Z',
      checkedAt: '2025-01-02T04:00:00.000Z',
      action: 'reconnect',
      nextAttemptAt: '2025-01-02T05:00:00.000Z',
    };

    it('carries the problem and since when, and keeps the rest of the last good entity', () => {
      const good = buildAzureSubscriptionEntity(subscription(), {
        owner: OWNER,
      });
      const lost = buildAzureSubscriptionEntity(
        subscription({
          access: revoked,
          lastSuccessfulSyncAt: '2025-01-01T00:00:00.000Z',
        }),
        { owner: OWNER },
      );

      expect(lost.metadata.annotations).toMatchObject({
        [ANNOTATION_AZURE_ACCESS_PROBLEM]: 'consent-revoked',
        [ANNOTATION_AZURE_ACCESS_SINCE]: '2025-01-02T03:04:05.000Z',
      });
      const {
        [ANNOTATION_AZURE_ACCESS_PROBLEM]: _problem,
        [ANNOTATION_AZURE_ACCESS_SINCE]: _since,
        ...otherAnnotations
      } = lost.metadata.annotations!;
      expect({
        ...lost,
        metadata: { ...lost.metadata, annotations: otherAnnotations },
      }).toEqual(good);
      // Never the backend's sentence: an annotation is no place for it, and the entity would change with it.
      expect(JSON.stringify(lost)).not.toContain(revoked.message);
    });

    it('does not change with each new check or retry time, so a try that finds the same problem rewrites nothing', () => {
      const first = buildAzureSubscriptionEntity(
        subscription({ access: revoked }),
        { owner: OWNER },
      );
      const later = buildAzureSubscriptionEntity(
        subscription({
          access: {
            ...revoked,
            checkedAt: '2025-01-03T04:00:00.000Z',
            nextAttemptAt: '2025-01-03T08:00:00.000Z',
          },
        }),
        { owner: OWNER },
      );
      expect(later).toEqual(first);
    });

    it('has no access annotations once access is back', () => {
      const entity = buildAzureSubscriptionEntity(
        subscription({ access: undefined }),
        { owner: OWNER },
      );
      expect(entity.metadata.annotations).not.toHaveProperty(
        ANNOTATION_AZURE_ACCESS_PROBLEM,
      );
      expect(entity.metadata.annotations).not.toHaveProperty(
        ANNOTATION_AZURE_ACCESS_SINCE,
      );
    });
  });
});
