import { CostModel } from '../cost/CostModel';
import { EmulatorState } from './EmulatorState';
import { generateTenant } from './generatedTenant';

describe('generateTenant', () => {
  const options = { subscriptions: 5, resources: 1003, days: 30, seed: 3 };

  it('builds the same tenant from the same seed, and another from another seed', () => {
    const a = generateTenant(options);
    const b = generateTenant(options);
    const c = generateTenant({ ...options, seed: 4 });
    const first = (t: ReturnType<typeof generateTenant>) => {
      const [id, source] = [...t.lazyResources.entries()][0];
      return { id, resource: source.at(17) };
    };
    expect(first(a)).toEqual(first(b));
    expect(a.fixture).toEqual(b.fixture);
    expect(first(c).id).not.toBe(first(a).id);
  });

  it('spreads the resources over the subscriptions and finds each by id', () => {
    const { fixture, lazyResources } = generateTenant(options);
    const state = EmulatorState.fromFixture(fixture, { lazyResources });
    const all = [...state.subscriptions.values()].flatMap(subscription =>
      [...subscription.resources.entries()].map(resource => ({
        subscription,
        resource,
      })),
    );
    expect(all).toHaveLength(1003);
    const sample = all.filter((_, i) => i % 97 === 0);
    expect(
      sample.map(
        ({ subscription, resource }) =>
          subscription.resources.get(resource.id.toUpperCase())?.name,
      ),
    ).toEqual(sample.map(({ resource }) => resource.name));
    expect(
      sample.every(({ subscription, resource }) =>
        subscription.resourceGroups.has(resource.resourceGroup.toLowerCase()),
      ),
    ).toBe(true);
  });

  it('has realistically messy tags and a mix of types', () => {
    const { lazyResources } = generateTenant({ ...options, resources: 2000 });
    const resources = [...lazyResources.values()].flatMap(s =>
      Array.from({ length: s.count }, (_, i) => s.at(i)),
    );
    const tagKeys = new Set(resources.flatMap(r => Object.keys(r.tags)));
    expect(tagKeys.has('owner') && tagKeys.has('Owner')).toBe(true);
    expect(
      resources.filter(r => Object.keys(r.tags).length === 0).length,
    ).toBeGreaterThan(100);
    const owners = new Set(
      resources.map(r => r.tags.owner ?? r.tags.Owner).filter(Boolean),
    );
    expect(owners.has('team-platform') && owners.has('Platform')).toBe(true);
    expect(new Set(resources.map(r => r.type)).size).toBeGreaterThan(10);
  });

  it('computes costs on demand, deterministically, with weekly seasonality', () => {
    const { fixture, lazyResources } = generateTenant(options);
    const state = EmulatorState.fromFixture(fixture, { lazyResources });
    const now = () => Date.UTC(2026, 10, 25);
    const model = new CostModel({ costs: fixture.costs, now });
    const subscription = [...state.subscriptions.values()][0];
    const vms = [...subscription.resources.entries()].filter(
      r => r.type === 'Microsoft.Compute/virtualMachines',
    );
    const day = Math.floor(now() / 86_400_000);
    const other = new CostModel({ costs: fixture.costs, now });
    expect(vms.map(vm => other.dailyCost(subscription, vm, day - 3))).toEqual(
      vms.map(vm => model.dailyCost(subscription, vm, day - 3)),
    );
    const days = Array.from({ length: 28 }, (_, d) => day - d);
    const weekend = days.filter(d =>
      [0, 6].includes(new Date(d * 86_400_000).getUTCDay()),
    );
    const weekdays = days.filter(d => !weekend.includes(d));
    const average = (ds: number[]) =>
      ds.reduce(
        (sum, d) =>
          sum +
          vms.reduce((s, vm) => s + model.dailyCost(subscription, vm, d), 0),
        0,
      ) / ds.length;
    expect(average(weekend)).toBeLessThan(average(weekdays) * 0.9);
    expect(model.dailyCost(subscription, vms[0], day - 31)).toBe(0);
  });
});
