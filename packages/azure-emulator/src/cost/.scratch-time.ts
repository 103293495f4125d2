import { generateTenant } from '../model/generatedTenant';
import { EmulatorState } from '../model/EmulatorState';
import { CostModel } from './CostModel';
import { runCostQuery } from './costQuery';

export function main() {
  const now = () => Date.now();
  const generated = generateTenant({
    subscriptions: 1,
    resources: 10000,
    days: 90,
    seed: 1,
  });
  const state = EmulatorState.fromFixture(generated.fixture, {
    lazyResources: generated.lazyResources,
    now,
  });
  const model = new CostModel({ costs: generated.fixture.costs, now });
  const subscription = [...(state as any).subscriptions.values()][0];
  const to = new Date().toISOString().slice(0, 10);
  const from = new Date(Date.now() - 30 * 86400000).toISOString().slice(0, 10);
  const body = (dataset: any) => ({
    type: 'ActualCost',
    timeframe: 'Custom',
    timePeriod: { from: `${from}T00:00:00Z`, to: `${to}T23:59:59Z` },
    dataset,
  });
  for (const [name, dataset] of Object.entries({
    location: {
      aggregation: { totalCost: { name: 'Cost', function: 'Sum' } },
      grouping: [
        { type: 'Dimension', name: 'ResourceId' },
        { type: 'Dimension', name: 'ResourceLocation' },
      ],
    },
    daily: {
      granularity: 'Daily',
      aggregation: { totalCost: { name: 'Cost', function: 'Sum' } },
      grouping: [
        { type: 'Dimension', name: 'ResourceId' },
        { type: 'Dimension', name: 'ServiceName' },
      ],
    },
  })) {
    for (let i = 0; i < 2; i++) {
      const t = Date.now();
      const table = runCostQuery(model, { subscription }, body(dataset));
      console.log(
        name,
        Date.now() - t,
        'ms',
        table.rows.length,
        'rows',
        JSON.stringify(table.rows).length,
        'bytes',
      );
    }
  }
}
