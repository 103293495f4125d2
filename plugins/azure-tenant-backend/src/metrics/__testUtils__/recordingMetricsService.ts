import {
  MetricAttributes,
  MetricsService,
} from '@backstage/backend-plugin-api/alpha';

/** One value recorded on an instrument, with its attributes. */
export interface RecordedMeasurement {
  value: number;
  attributes: MetricAttributes;
}

/**
 * A {@link MetricsService} that keeps every value, so tests read what the plugin measured: `sum` adds a counter's
 * values (as an OpenTelemetry sum aggregation does) and `values` lists a histogram's. Attributes are matched as a
 * subset, so a test names only those it cares about.
 */
export function recordingMetricsService() {
  const recorded = new Map<string, RecordedMeasurement[]>();
  const kinds = new Map<string, string>();
  const instrument = (kind: string) => (name: string) => {
    if (recorded.has(name)) {
      throw new Error(`The metric ${name} was created twice`);
    }
    recorded.set(name, []);
    kinds.set(name, kind);
    const keep = (value: number, attributes: MetricAttributes = {}) => {
      recorded.get(name)!.push({ value, attributes });
    };
    return {
      add: keep,
      record: keep,
      addCallback: () => {},
      removeCallback: () => {},
    };
  };
  const service: MetricsService = {
    createCounter: instrument('counter'),
    createUpDownCounter: instrument('updowncounter'),
    createHistogram: instrument('histogram'),
    createGauge: instrument('gauge'),
    createObservableCounter: instrument('observablecounter'),
    createObservableUpDownCounter: instrument('observableupdowncounter'),
    createObservableGauge: instrument('observablegauge'),
  };
  const matching = (name: string, attributes: MetricAttributes = {}) => {
    const measurements = recorded.get(name);
    if (!measurements) throw new Error(`No metric named ${name}`);
    return measurements.filter(m =>
      Object.entries(attributes).every(([k, v]) => m.attributes[k] === v),
    );
  };
  return {
    service,
    /** The names of the instruments made, with their kind. */
    instruments: () => Object.fromEntries(kinds),
    /** Every measurement of a metric whose attributes include `attributes`. */
    measurements: matching,
    /** The sum of a counter's values whose attributes include `attributes`. */
    sum: (name: string, attributes?: MetricAttributes) =>
      matching(name, attributes).reduce((total, m) => total + m.value, 0),
    /** A histogram's values whose attributes include `attributes`. */
    values: (name: string, attributes?: MetricAttributes) =>
      matching(name, attributes).map(m => m.value),
  };
}
