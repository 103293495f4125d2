import { mockServices } from '@backstage/backend-test-utils';
import { ownerTagValue, readOwnerTagKey } from './ownerTag';

describe('readOwnerTagKey', () => {
  it('writes the tag the catalog module reads the owner from', () => {
    expect(
      readOwnerTagKey(
        mockServices.rootConfig({
          data: {
            catalog: { providers: { azureTenant: { ownerTagKey: 'Team' } } },
          },
        }),
      ),
    ).toBe('Team');
    // The deprecated place, as the catalog module still reads it when the new one is not set.
    expect(
      readOwnerTagKey(
        mockServices.rootConfig({
          data: { azureTenant: { catalog: { ownerTagKey: 'costOwner' } } },
        }),
      ),
    ).toBe('costOwner');
    expect(readOwnerTagKey(mockServices.rootConfig({ data: {} }))).toBe(
      'owner',
    );
  });
});

describe('ownerTagValue', () => {
  it('writes the name of the owner entity, which the catalog resolves, not its ref', () => {
    expect(ownerTagValue('group:default/platform')).toBe('platform');
    expect(ownerTagValue('user:default/jane.doe')).toBe('jane.doe');
    expect(ownerTagValue('group:payments/team-checkout')).toBe('team-checkout');
    expect(ownerTagValue(' platform ')).toBe('platform');
  });
});
