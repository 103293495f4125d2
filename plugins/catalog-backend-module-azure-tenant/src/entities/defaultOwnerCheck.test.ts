import { mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { demoOrg } from '../__fixtures__/azureFixtures';
import { AzureOwnerDirectory } from '@azure-tenant/plugin-azure-tenant-node';
import { checkDefaultOwner } from './defaultOwnerCheck';

describe('checkDefaultOwner', () => {
  it('warns at once, naming the group it adds, when no default owner is set', () => {
    const logger = mockServices.logger.mock();
    checkDefaultOwner({
      loadOwners: async () => AzureOwnerDirectory.empty(),
      logger,
    });
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringMatching(
        /defaultOwner is not set.*group:default\/azure-tenant-unowned/,
      ),
    );
  });

  it('warns once while the configured default owner is not in the catalog, and again if it goes away', async () => {
    const logger = mockServices.logger.mock();
    let org: Entity[] = [];
    const load = checkDefaultOwner({
      defaultOwner: 'group:default/cloud-team',
      loadOwners: async () => AzureOwnerDirectory.fromEntities(org),
      logger,
    });

    await load(); // The catalog has read no groups or users yet.
    expect(logger.warn).not.toHaveBeenCalled();

    org = demoOrg;
    await load();
    await load();
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringMatching(
        /defaultOwner is group:default\/cloud-team, which is not in the catalog/,
      ),
    );

    const cloudTeam: Entity = {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Group',
      metadata: { name: 'Cloud-Team' },
      spec: { type: 'team', children: [] },
    };
    org = [...demoOrg, cloudTeam];
    await load();
    org = demoOrg;
    await load();
    expect(logger.warn).toHaveBeenCalledTimes(2);
  });
});
