import Ajv2020 from 'ajv/dist/2020';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DEMO_APP, DEMO_TENANT, DEMO_USER } from './demoIdentities';
import { EmulatorState } from './EmulatorState';
import { EmulatorFixture } from './fixture';
import {
  DEMO_FIXTURE_PATH,
  FixtureError,
  validateFixture,
} from './fixtureLoader';

const schema = JSON.parse(
  readFileSync(
    path.resolve(__dirname, '..', '..', 'schema', 'fixture.schema.json'),
    'utf8',
  ),
);
const demo: EmulatorFixture = JSON.parse(
  readFileSync(DEMO_FIXTURE_PATH, 'utf8'),
);

describe('fixture', () => {
  it('the demo fixture matches the JSON Schema', () => {
    const validate = new Ajv2020({
      allErrors: true,
      strict: false,
      validateFormats: false,
    }).compile(schema);
    expect(validate(demo) ? [] : validate.errors).toEqual([]);
  });

  it('the demo fixture has the fixed demo ids, three subscriptions (one in EUR) and about 200 resources', () => {
    expect(demo.tenants[0]).toMatchObject({
      id: DEMO_TENANT.id,
      displayName: 'Contoso Demo',
    });
    expect(demo.tenants[0].users).toContainEqual(
      expect.objectContaining({
        oid: DEMO_USER.oid,
        userPrincipalName: 'demo@contoso.example',
      }),
    );
    expect(demo.apps).toEqual([
      expect.objectContaining({
        clientId: DEMO_APP.clientId,
        clientSecret: 'demo-emulator-secret',
        redirectUris: [
          'http://localhost:7007/api/azure-tenant/onboarding/callback',
        ],
      }),
    ]);
    const subscriptions = demo.subscriptions!;
    expect(subscriptions).toHaveLength(3);
    expect(subscriptions.filter(s => s.currency === 'EUR')).toHaveLength(1);
    const demoRoles = subscriptions.map(
      s => s.roleAssignments!.find(a => a.principalId === DEMO_USER.oid)?.role,
    );
    expect(demoRoles.sort()).toEqual(['Owner', 'Owner', 'Reader']);
    const resources = subscriptions.flatMap(s => s.resources!);
    expect(resources.length).toBeGreaterThanOrEqual(180);
    const tagKeys = new Set(resources.flatMap(r => Object.keys(r.tags ?? {})));
    expect(tagKeys.has('owner') && tagKeys.has('Owner')).toBe(true);
    const owners = new Set(resources.map(r => r.tags?.owner ?? r.tags?.Owner));
    for (const value of [
      'team-platform',
      'team-payments',
      'team-data',
      'Platform',
    ])
      expect(owners.has(value)).toBe(true);
    expect(
      resources.some(r => !r.tags || Object.keys(r.tags).length === 0),
    ).toBe(true);
  });

  it('rejects a fixture with tag names that differ only in case, saying where', () => {
    const broken = JSON.parse(JSON.stringify(demo));
    broken.subscriptions[1].resources[4].tags = { owner: 'a', Owner: 'b' };
    expect(() => validateFixture(broken)).toThrow(FixtureError);
    expect(() => validateFixture(broken)).toThrow(
      'subscriptions[1].resources[4].tags',
    );
  });

  it('builds state from a fixture, with roles relative to the subscription', () => {
    const state = EmulatorState.fromFixture({
      tenants: [{ id: DEMO_TENANT.id, displayName: 'T', users: [DEMO_USER] }],
      subscriptions: [
        {
          subscriptionId: '11111111-1111-4111-8111-111111111111',
          tenantId: DEMO_TENANT.id,
          displayName: 'S',
          roleAssignments: [
            {
              principalId: DEMO_USER.oid,
              role: 'Reader',
              scope: '/resourceGroups/rg-a',
            },
          ],
          resources: [
            {
              type: 'Microsoft.Web/sites',
              name: 'app1',
              resourceGroup: 'rg-a',
              location: 'westeurope',
            },
          ],
        },
      ],
    });
    const [assignment] = state.roleAssignments.values();
    expect(assignment.scope).toBe(
      '/subscriptions/11111111-1111-4111-8111-111111111111/resourceGroups/rg-a',
    );
    expect(
      state
        .subscription('11111111-1111-4111-8111-111111111111')!
        .resourceGroups.has('rg-a'),
    ).toBe(true);
  });
});
