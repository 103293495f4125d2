import { ArmError } from '../errors/ArmError';
import { SubscriptionState } from '../model/EmulatorState';
import { ResourceRecord } from '../model/ResourceRecord';
import { resourceTypeInfo } from '../model/resourceTypeCatalog';
import { parseDay } from './CostModel';

/**
 * One service of one subscription suddenly costs `factor` times its usual daily cost, from `from` (and until `to`,
 * when given), as when someone scales a cluster up by mistake. The service is Cost Management's `ServiceName`
 * dimension (e.g. `Virtual Machines`, `Storage`), matched case-insensitively.
 *
 * @public
 */
export interface CostSpikeScenario {
  kind: 'spike';
  subscriptionId: string;
  serviceName: string;
  /** How many times the usual daily cost the service costs while the spike lasts; above 0. */
  factor: number;
  /** The first day of the spike, `YYYY-MM-DD`; defaults to today. */
  from?: string;
  /** The last day of the spike, `YYYY-MM-DD`; open-ended when absent. */
  to?: string;
}

/**
 * A subscription's daily cost grows by `percentPerDay` percent a day, compounded, from `from`: day `from + n` costs
 * `(1 + percentPerDay / 100) ^ n` times what it otherwise would.
 *
 * @public
 */
export interface CostGrowthScenario {
  kind: 'steady-growth';
  subscriptionId: string;
  /** Daily growth in percent; may be negative (above -100) for a steady decline. */
  percentPerDay: number;
  /** The day growth starts from (factor 1 on that day), `YYYY-MM-DD`; defaults to today. */
  from?: string;
}

/**
 * A cost scenario a test switches on through the control API. Scenarios change what Cost Management's query and
 * forecast answer (and so budgets' current and forecast spend) for the days they cover, past and future alike.
 *
 * @public
 */
export type CostScenario = CostSpikeScenario | CostGrowthScenario;

/**
 * A cost scenario with the id the emulator gave it.
 *
 * @public
 */
export type ActiveCostScenario = CostScenario & { id: string; from: string };

function invalid(message: string): ArmError {
  return new ArmError(400, 'InvalidCostScenario', message);
}

function requireDay(value: unknown, field: string): string {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    throw invalid(`'${field}' must be a date written YYYY-MM-DD.`);
  }
  try {
    parseDay(value);
  } catch {
    throw invalid(`'${field}' must be a date written YYYY-MM-DD.`);
  }
  return value;
}

/**
 * Checks a scenario from the control API; anything malformed is a 400 `InvalidCostScenario`.
 *
 * @param today - `YYYY-MM-DD`, the default for `from`
 */
export function parseCostScenario(
  input: any,
  today: string,
): CostScenario & { from: string } {
  if (typeof input?.subscriptionId !== 'string' || !input.subscriptionId) {
    throw invalid("'subscriptionId' is required.");
  }
  const from = requireDay(input.from ?? today, 'from');
  if (input.kind === 'spike') {
    if (typeof input.serviceName !== 'string' || !input.serviceName) {
      throw invalid("'serviceName' is required for a spike.");
    }
    if (
      typeof input.factor !== 'number' ||
      !Number.isFinite(input.factor) ||
      input.factor <= 0
    ) {
      throw invalid("'factor' must be a number above 0.");
    }
    const to = input.to === undefined ? undefined : requireDay(input.to, 'to');
    if (to && to < from) throw invalid("'to' must not be before 'from'.");
    return {
      kind: 'spike',
      subscriptionId: input.subscriptionId,
      serviceName: input.serviceName,
      factor: input.factor,
      from,
      ...(to ? { to } : {}),
    };
  }
  if (input.kind === 'steady-growth') {
    if (
      typeof input.percentPerDay !== 'number' ||
      !Number.isFinite(input.percentPerDay) ||
      input.percentPerDay <= -100
    ) {
      throw invalid("'percentPerDay' must be a number above -100.");
    }
    return {
      kind: 'steady-growth',
      subscriptionId: input.subscriptionId,
      percentPerDay: input.percentPerDay,
      from,
    };
  }
  throw invalid("'kind' must be 'spike' or 'steady-growth'.");
}

/**
 * What the scenarios multiply one resource's daily cost by, per day; undefined when none applies to the resource, so
 * that the common case costs nothing.
 */
export function scenarioFactors(
  scenarios: readonly ActiveCostScenario[],
  subscription: SubscriptionState,
  resource: ResourceRecord,
): ((day: number) => number) | undefined {
  const subscriptionId = subscription.subscriptionId.toLowerCase();
  const applying = scenarios.filter(
    s => s.subscriptionId.toLowerCase() === subscriptionId,
  );
  if (applying.length === 0) return undefined;
  const serviceName = resourceTypeInfo(resource.type).serviceName.toLowerCase();
  const factors: Array<(day: number) => number> = [];
  for (const scenario of applying) {
    const from = parseDay(scenario.from);
    if (scenario.kind === 'spike') {
      if (scenario.serviceName.toLowerCase() !== serviceName) continue;
      const to = scenario.to ? parseDay(scenario.to) : Infinity;
      factors.push(day => (day >= from && day <= to ? scenario.factor : 1));
    } else {
      const rate = 1 + scenario.percentPerDay / 100;
      factors.push(day => (day > from ? rate ** (day - from) : 1));
    }
  }
  if (factors.length === 0) return undefined;
  return day => factors.reduce((product, factor) => product * factor(day), 1);
}
