import {
  ANNOTATION_AZURE_OWNER_SOURCE,
  ANNOTATION_AZURE_RESOURCE_ID,
  ANNOTATION_AZURE_SUBSCRIPTION_ID,
  ANNOTATION_AZURE_SYNC_MODE,
  ANNOTATION_AZURE_TAG_VIOLATIONS,
  ANNOTATION_AZURE_TENANT_ID,
  AzureResourceRecord,
  LABEL_AZURE_TAG_COMPLIANCE,
  azureResourceEntityName,
  azureResourceEntityRef,
} from '@azure-tenant/plugin-azure-tenant-common';
import {
  ANNOTATION_LOCATION,
  ANNOTATION_ORIGIN_LOCATION,
  DefaultNamespaceEntityPolicy,
  Entity,
  EntityPolicies,
  FieldFormatEntityPolicy,
  NoForeignRootFieldsEntityPolicy,
  SchemaValidEntityPolicy,
  resourceEntityV1alpha1Validator,
} from '@backstage/catalog-model';
import {
  SUBSCRIPTION_ID,
  TENANT_ID,
  demoOrg,
  resource,
} from '../__fixtures__/azureFixtures';
import { AzureOwnerDirectory } from '@azure-tenant/plugin-azure-tenant-node';
import {
  AzureResourceEntityOptions,
  buildAzureResourceEntity,
} from './resourceEntity';

const DEFAULT_OWNER = 'group:default/azure-tenant-unowned';

/** The checks the catalog runs on an entity before it stores it (the catalog's default entity policies). */
const catalogPolicies = EntityPolicies.allOf([
  new SchemaValidEntityPolicy(),
  new DefaultNamespaceEntityPolicy(),
  new NoForeignRootFieldsEntityPolicy(),
  new FieldFormatEntityPolicy(),
]);

async function expectValidEntity(entity: Entity) {
  await expect(catalogPolicies.enforce(entity)).resolves.toBeDefined();
  await expect(resourceEntityV1alpha1Validator.check(entity)).resolves.toBe(
    true,
  );
}

function options(
  overrides: Partial<AzureResourceEntityOptions> = {},
): AzureResourceEntityOptions {
  return {
    syncMode: 'read-write-tags',
    ownerTagKey: 'owner',
    owners: AzureOwnerDirectory.fromEntities(demoOrg),
    defaultOwner: DEFAULT_OWNER,
    ...overrides,
  };
}

describe('buildAzureResourceEntity', () => {
  it('names the entity from the resource id and shows the Azure name as title', () => {
    const record = resource('vm-web-01');
    const entity = buildAzureResourceEntity(record, options());

    expect(entity.kind).toBe('Resource');
    expect(entity.metadata.name).toBe(
      azureResourceEntityName(record.resourceId),
    );
    expect(entity.metadata.name).toMatch(/^vm-web-01-[0-9a-f]{16}$/);
    expect(entity.metadata.title).toBe('vm-web-01');
    expect(entity.metadata.description).toBe(
      'Azure virtualMachines in resource group rg-web, westeurope',
    );
    expect(entity.spec?.type).toBe('azure-virtualmachines');
  });

  it('links the resource to its resource group and to the Azure portal', () => {
    const record = resource('vm-web-01', { resourceGroup: 'RG-Web' });
    const entity = buildAzureResourceEntity(record, options());
    const portalUrl = `https://portal.azure.com/#@${TENANT_ID}/resource${record.resourceId}`;

    // The group's entity, named from its id whatever the casing the resource gives its group.
    expect(entity.spec?.dependencyOf).toEqual([
      azureResourceEntityRef(
        `/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/rg-web`,
      ),
    ]);
    expect(entity.metadata.links).toEqual([
      expect.objectContaining({
        url: portalUrl,
        title: 'Open in Azure portal',
      }),
    ]);
    expect(entity.metadata.annotations).toMatchObject({
      [ANNOTATION_LOCATION]: `url:${portalUrl}`,
      [ANNOTATION_ORIGIN_LOCATION]: `url:${portalUrl}`,
    });
  });

  it('annotates the resource id in Azure casing, the subscription, tenant and sync mode', () => {
    const record = resource('VM-Web-01', { resourceGroup: 'RG-Web' });
    const entity = buildAzureResourceEntity(
      record,
      options({ syncMode: 'read-tags' }),
    );

    expect(entity.metadata.annotations).toMatchObject({
      [ANNOTATION_AZURE_RESOURCE_ID]: `/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/RG-Web/providers/Microsoft.Compute/virtualMachines/VM-Web-01`,
      [ANNOTATION_AZURE_SUBSCRIPTION_ID]: SUBSCRIPTION_ID,
      [ANNOTATION_AZURE_TENANT_ID]: TENANT_ID,
      [ANNOTATION_AZURE_SYNC_MODE]: 'read-tags',
    });
  });

  it('keeps Azure and portal-only tags apart in spec.azure', () => {
    const entity = buildAzureResourceEntity(
      resource('vm', {
        tags: { Environment: 'prod' },
        portalTags: { costCenter: '42' },
      }),
      options({ syncMode: 'read-tags' }),
    );

    expect(entity.spec?.azure).toMatchObject({
      resourceGroup: 'rg-web',
      type: 'Microsoft.Compute/virtualMachines',
      location: 'westeurope',
      tags: { Environment: 'prod' },
      portalTags: { costCenter: '42' },
    });
  });

  it('keeps every tag name Azure allows, the names of Object members too', () => {
    // As the feed's JSON arrives: `__proto__` is an own key of the parsed object.
    const names = ['__proto__', 'constructor', 'toString', 'hasOwnProperty'];
    const tags = JSON.parse(
      JSON.stringify(Object.fromEntries(names.map(n => [n, `${n}-azure`]))),
    );
    const portalTags = JSON.parse(
      JSON.stringify(Object.fromEntries(names.map(n => [n, `${n}-portal`]))),
    );
    const entity = buildAzureResourceEntity(
      resource('vm', { tags, portalTags }),
      options({ syncMode: 'read-tags' }),
    );
    // The catalog stores the entity as JSON.
    const stored = JSON.parse(JSON.stringify(entity));
    for (const name of names) {
      expect(Object.keys(stored.spec.azure.tags)).toContain(name);
      expect(stored.spec.azure.tags[name]).toBe(`${name}-azure`);
      expect(stored.spec.azure.portalTags[name]).toBe(`${name}-portal`);
    }
    // None of them is taken for an owner tag.
    expect(entity.spec?.owner).toBe(DEFAULT_OWNER);
  });

  it.each(['no-tags', 'none'] as const)(
    'shows no tags and ignores the owner tag under %s',
    syncMode => {
      const entity = buildAzureResourceEntity(
        resource('vm', {
          tags: { owner: 'team-platform' },
          portalTags: { owner: 'data' },
        }),
        options({ syncMode }),
      );

      expect(entity.spec?.azure).not.toHaveProperty('tags');
      expect(entity.spec?.azure).not.toHaveProperty('portalTags');
      expect(entity.spec?.owner).toBe(DEFAULT_OWNER);
      expect(entity.metadata.annotations?.[ANNOTATION_AZURE_OWNER_SOURCE]).toBe(
        'default',
      );
    },
  );

  it('leaves tags out when a no-tags record has none', () => {
    const entity = buildAzureResourceEntity(
      resource('vm'),
      options({ syncMode: 'no-tags' }),
    );
    expect(entity.spec?.azure).not.toHaveProperty('tags');
    expect(entity.metadata.annotations?.[ANNOTATION_AZURE_SYNC_MODE]).toBe(
      'no-tags',
    );
  });

  describe('owner', () => {
    it.each([
      [{ owner: 'team-platform' }, 'group:default/platform', 'tag'],
      [{ Owner: 'Platform' }, 'group:default/platform', 'tag'],
      [{ OWNER: 'team_payments' }, 'group:default/payments', 'tag'],
      [{ owner: 'data' }, 'group:default/data', 'tag'],
      [{ owner: 'reliability engineering' }, 'group:default/sre', 'tag'],
      [{ owner: 'Site Reliability' }, 'group:default/sre', 'tag'],
      [{ owner: 'jane.doe@example.com' }, 'user:default/jane.doe', 'tag'],
      [{ owner: 'JANE.DOE' }, 'user:default/jane.doe', 'tag'],
      [{ owner: 'nobody-we-know' }, DEFAULT_OWNER, 'default'],
      [{ environment: 'prod' }, DEFAULT_OWNER, 'default'],
    ])('resolves tags %j to %s (owner source %s)', (tags, expected, source) => {
      const entity = buildAzureResourceEntity(
        resource('vm', { tags }),
        options(),
      );
      expect(entity.spec?.owner).toBe(expected);
      expect(entity.metadata.annotations?.[ANNOTATION_AZURE_OWNER_SOURCE]).toBe(
        source,
      );
    });

    it('says the owner came from the default owner when the resource has no tags at all', () => {
      const entity = buildAzureResourceEntity(resource('vm'), options());
      expect(entity.spec?.owner).toBe(DEFAULT_OWNER);
      expect(entity.metadata.annotations?.[ANNOTATION_AZURE_OWNER_SOURCE]).toBe(
        'default',
      );
    });

    it("says the owner came from the tag when the configured default owner is also the tag's owner", () => {
      // The source tells how the owner was decided, not who it is: showback counts only owners claimed by tag.
      const entity = buildAzureResourceEntity(
        resource('vm', { tags: { owner: 'team-platform' } }),
        options({ defaultOwner: 'group:default/platform' }),
      );
      expect(entity.spec?.owner).toBe('group:default/platform');
      expect(entity.metadata.annotations?.[ANNOTATION_AZURE_OWNER_SOURCE]).toBe(
        'tag',
      );
    });

    it('uses the configured tag key, case-insensitively', () => {
      const entity = buildAzureResourceEntity(
        resource('vm', { tags: { owner: 'data', 'Cost-Owner': 'payments' } }),
        options({ ownerTagKey: 'cost-owner' }),
      );
      expect(entity.spec?.owner).toBe('group:default/payments');
    });

    it('prefers a portal-only owner tag over the Azure tag', () => {
      const entity = buildAzureResourceEntity(
        resource('vm', {
          tags: { owner: 'data' },
          portalTags: { Owner: 'team-payments' },
        }),
        options({ syncMode: 'read-tags' }),
      );
      expect(entity.spec?.owner).toBe('group:default/payments');
      expect(entity.metadata.annotations?.[ANNOTATION_AZURE_OWNER_SOURCE]).toBe(
        'tag',
      );
    });

    it('falls back to the default owner when there are no records of groups and users', () => {
      const entity = buildAzureResourceEntity(
        resource('vm', { tags: { owner: 'platform' } }),
        options({ owners: AzureOwnerDirectory.empty() }),
      );
      expect(entity.spec?.owner).toBe(DEFAULT_OWNER);
      expect(entity.metadata.annotations?.[ANNOTATION_AZURE_OWNER_SOURCE]).toBe(
        'default',
      );
    });
  });

  describe('tag compliance', () => {
    type Compliance = NonNullable<AzureResourceRecord['compliance']>;
    const violation = (
      key: string,
      code: Compliance['violations'][number]['code'],
      policyId = key,
    ) => ({ policyId, key, code });

    it('labels a compliant resource, with no violations annotation', async () => {
      const entity = buildAzureResourceEntity(
        resource('vm', {
          tags: { owner: 'platform' },
          compliance: { status: 'compliant', violations: [] },
        }),
        options(),
      );

      expect(entity.metadata.labels).toEqual({
        [LABEL_AZURE_TAG_COMPLIANCE]: 'compliant',
      });
      expect(entity.metadata.annotations).not.toHaveProperty(
        ANNOTATION_AZURE_TAG_VIOLATIONS,
      );
      await expectValidEntity(entity);
    });

    it('lists the violations of a non-compliant resource as key:code pairs, sorted and without duplicates', async () => {
      const entity = buildAzureResourceEntity(
        resource('vm', {
          tags: { Owner: 'nobody', env: 'Production' },
          compliance: {
            status: 'non-compliant',
            violations: [
              violation('owner', 'value-not-catalog-entity'),
              violation('env', 'value-not-allowed'),
              violation('owner', 'non-canonical-key'),
              // A second policy on the same key, broken the same way: one pair.
              violation('env', 'value-not-allowed', 'env-strict'),
            ],
          },
        }),
        options(),
      );

      expect(entity.metadata.labels?.[LABEL_AZURE_TAG_COMPLIANCE]).toBe(
        'non-compliant',
      );
      expect(
        entity.metadata.annotations?.[ANNOTATION_AZURE_TAG_VIOLATIONS],
      ).toBe(
        'env:value-not-allowed,owner:non-canonical-key,owner:value-not-catalog-entity',
      );
      await expectValidEntity(entity);
    });

    it('encodes the commas and colons Azure allows in tag names, so that the pairs still split', () => {
      const entity = buildAzureResourceEntity(
        resource('vm', {
          compliance: {
            status: 'non-compliant',
            violations: [violation('cost center, finance: id', 'missing')],
          },
        }),
        options(),
      );

      const value =
        entity.metadata.annotations?.[ANNOTATION_AZURE_TAG_VIOLATIONS];
      expect(value).toBe('cost center%2C finance%3A id:missing');
      expect(value!.split(',')).toHaveLength(1);
    });

    it('keeps whole pairs only when the violations are long', async () => {
      const violations = Array.from({ length: 12 }, (_, i) =>
        violation(
          `${String.fromCharCode(97 + i)}${'k'.repeat(200)}`,
          'missing',
        ),
      );
      const entity = buildAzureResourceEntity(
        resource('vm', { compliance: { status: 'non-compliant', violations } }),
        options(),
      );

      const value =
        entity.metadata.annotations?.[ANNOTATION_AZURE_TAG_VIOLATIONS]!;
      expect(value.length).toBeLessThanOrEqual(1024);
      const pairs = value.split(',');
      expect(pairs.length).toBeGreaterThan(0);
      expect(pairs.length).toBeLessThan(12);
      // The first ones in order, each whole.
      pairs.forEach((pair, i) =>
        expect(pair).toBe(
          `${String.fromCharCode(97 + i)}${'k'.repeat(200)}:missing`,
        ),
      );
      await expectValidEntity(entity);
    });

    it('labels a resource whose subscription keeps no tags unknown, without violations', async () => {
      const record = resource('vm', {
        compliance: {
          status: 'non-compliant',
          violations: [violation('owner', 'missing')],
        },
      });
      for (const syncMode of ['no-tags', 'none'] as const) {
        const entity = buildAzureResourceEntity(record, options({ syncMode }));
        expect(entity.metadata.labels).toEqual({
          [LABEL_AZURE_TAG_COMPLIANCE]: 'unknown',
        });
        expect(entity.metadata.annotations).not.toHaveProperty(
          ANNOTATION_AZURE_TAG_VIOLATIONS,
        );
        await expectValidEntity(entity);
      }
    });

    it('has neither label nor annotation before compliance was evaluated', () => {
      const entity = buildAzureResourceEntity(
        resource('vm', { tags: { owner: 'platform' } }),
        options(),
      );

      expect(entity.metadata).not.toHaveProperty('labels');
      expect(entity.metadata.annotations).not.toHaveProperty(
        ANNOTATION_AZURE_TAG_VIOLATIONS,
      );
    });
  });
});
