import { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { InputError, stringifyError } from '@backstage/errors';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { azureSubscriptionEntityRef } from '@azure-tenant/plugin-azure-tenant-common';
import { entityOwnerRef } from '../../catalog/entityOwnerRef';
import { chunks } from '../../database/batches';
import { addDays, dayOf, eachDay, isDay } from '../../spend/spendDays';
import { SpendStore } from '../../spend/SpendStore';
import { SpendAlertNotifier } from '../SpendAlertNotifier';
import {
  MIN_HISTORY_DAYS,
  readSpendAnomalyConfig,
  SpendAnomalyConfig,
} from './SpendAnomalyConfig';
import { judgeSpendDay, median, SpendDayVerdict } from './SpendAnomalyModel';
import {
  describeSpendAnomaly,
  SpendAnomalyDriver,
  SpendAnomalyFinding,
} from './spendAnomalyMessage';

/** Options for {@link SpendAnomalyDetector}. */
export interface SpendAnomalyDetectorOptions {
  /** Daily spend per service is read through it; alerts are recorded by `notifier`. */
  spendStore: SpendStore;
  catalog: CatalogService;
  auth: AuthService;
  notifier: SpendAlertNotifier;
  logger: LoggerService;
  /** The root config; `azureTenant.budgets.anomalies` is read from it (see `SpendAnomalyConfig`). */
  config: Config;
}

/**
 * The days before today that are evaluated on each run: the last one with data is the day Azure's detection looks at;
 * the ones before it are looked at again because Cost Management completes a day's figures up to a few days late (a
 * day first seen half-reported is judged again once complete) and because a run may have been missed.
 */
const EVALUATED_DAYS = 7;

/** Services named in an alert, largest rise first. */
const MAX_DRIVERS = 3;

/** A service whose rise is below this share of the day's excess is noise, not a driver. */
const MIN_DRIVER_SHARE = 0.01;

/** Subscriptions whose spend is read in one query. */
const SUBSCRIPTIONS_PER_QUERY = 100;

/** One subscription's spend in one currency over the days read: totals and per-service amounts, by day index. */
interface CurrencySeries {
  totals: number[];
  hasData: boolean[];
  services: Map<string, number[]>;
}

/**
 * Finds days whose spend is far above the recent pattern of their subscription and notifies the owner of the
 * subscription's entity, at most once per subscription and day (the notifier's store keeps one alert per dedupe key
 * `anomaly:{subscriptionId}:{day}`, also across replicas).
 *
 * Each run reads, per subscription and currency, the daily totals per service of the evaluated days and the
 * `historyDays` before them (one query per batch of subscriptions, from the daily totals), and judges each evaluated
 * day that has data against the days before it (see `SpendAnomalyModel`). A day is alerted when it is anomalous and
 * the day before it is not: a change that lasts (a cluster scaled up on purpose) is told once, on its first day, not
 * every day until it has become the usual pattern. An alert names the services that drove it: each service's amount
 * on the day against the median of its own history, the largest rises first.
 */
export class SpendAnomalyDetector {
  private readonly settings: SpendAnomalyConfig;

  constructor(private readonly options: SpendAnomalyDetectorOptions) {
    this.settings = readSpendAnomalyConfig(options.config);
  }

  /**
   * Evaluates the recent days of every connected subscription and sends the alerts that are due.
   *
   * @param options.today - `YYYY-MM-DD`, the day that is not over yet (UTC); defaults to the current day
   * @returns how many alerts this run recorded (an alert another run recorded first is not counted)
   */
  async run(options: { today?: string } = {}): Promise<{ alerts: number }> {
    const { logger, spendStore } = this.options;
    if (!this.settings.enabled) {
      logger.debug('Spend anomaly detection is disabled');
      return { alerts: 0 };
    }
    const today = options.today ?? dayOf(new Date());
    if (!isDay(today)) {
      throw new InputError(`today must be a day written YYYY-MM-DD`);
    }

    const lastDay = addDays(today, -1);
    const firstEvaluated = addDays(today, -EVALUATED_DAYS);
    // The day before the first evaluated day is judged too (is a rise new?), on its own history.
    const days = eachDay(
      addDays(firstEvaluated, -(this.settings.historyDays + 1)),
      lastDay,
    );

    const subscriptions = await spendStore.listSubscriptions();
    const findings: SpendAnomalyFinding[] = [];
    for (const chunk of chunks(
      subscriptions.map(s => s.subscriptionId),
      SUBSCRIPTIONS_PER_QUERY,
    )) {
      const series = await this.readSeries(chunk, days);
      for (const [key, currencySeries] of series) {
        const [subscriptionId, currency] = key.split('\u0000');
        findings.push(
          ...this.findAnomalies(currencySeries, days, EVALUATED_DAYS).map(
            ({ index, verdict, historyDays }) => ({
              subscriptionId,
              currency,
              day: days[index],
              verdict,
              historyDays,
              drivers: this.driversOf(
                currencySeries,
                index,
                historyDays,
                verdict,
              ),
            }),
          ),
        );
      }
    }
    if (findings.length === 0) return { alerts: 0 };
    return { alerts: await this.notify(findings) };
  }

  /** The daily spend of some subscriptions, per subscription and currency (keyed `{subscriptionId}\0{currency}`). */
  private async readSeries(
    subscriptionIds: string[],
    days: string[],
  ): Promise<Map<string, CurrencySeries>> {
    const indexOf = new Map(days.map((day, index) => [day, index]));
    const aggregates = await this.options.spendStore.aggregate({
      scope: { subscriptionIds, resourceKeys: [] },
      from: days[0],
      to: days[days.length - 1],
      granularity: 'day',
      dimension: 'service',
      perSubscription: true,
    });
    const series = new Map<string, CurrencySeries>();
    for (const aggregate of aggregates) {
      const index = indexOf.get(aggregate.bucket ?? '');
      if (index === undefined || !aggregate.subscriptionId) continue;
      const key = `${aggregate.subscriptionId}\u0000${aggregate.currency}`;
      let entry = series.get(key);
      if (!entry) {
        entry = {
          totals: days.map(() => 0),
          hasData: days.map(() => false),
          services: new Map(),
        };
        series.set(key, entry);
      }
      entry.totals[index] += aggregate.amount;
      entry.hasData[index] = true;
      const service = aggregate.key ?? '';
      let amounts = entry.services.get(service);
      if (!amounts) {
        amounts = days.map(() => 0);
        entry.services.set(service, amounts);
      }
      amounts[index] += aggregate.amount;
    }
    return series;
  }

  /**
   * The anomalous days among the last `evaluatedDays` of a series that are new: their day before was not anomalous.
   * A day without data is not judged (only rises are flagged, and a missing day is not one); nor is a day with fewer
   * than `MIN_HISTORY_DAYS` days since the first day with data, whose spread would mean little.
   */
  private findAnomalies(
    series: CurrencySeries,
    days: string[],
    evaluatedDays: number,
  ): Array<{ index: number; verdict: SpendDayVerdict; historyDays: number }> {
    const firstData = series.hasData.indexOf(true);
    if (firstData < 0) return [];
    const judge = (index: number) => {
      const start = Math.max(index - this.settings.historyDays, firstData);
      if (!series.hasData[index] || index - start < MIN_HISTORY_DAYS) {
        return undefined;
      }
      return {
        verdict: judgeSpendDay(
          series.totals.slice(start, index),
          series.totals[index],
          this.settings,
        ),
        historyDays: index - start,
      };
    };
    const found: Array<{
      index: number;
      verdict: SpendDayVerdict;
      historyDays: number;
    }> = [];
    let previous = judge(days.length - evaluatedDays - 1);
    for (
      let index = days.length - evaluatedDays;
      index < days.length;
      index++
    ) {
      const current = judge(index);
      if (current?.verdict.anomalous && !previous?.verdict.anomalous) {
        found.push({ index, ...current });
      }
      previous = current;
    }
    return found;
  }

  /** The services that rose most on the day at `index`, each against the median of its own history. */
  private driversOf(
    series: CurrencySeries,
    index: number,
    historyDays: number,
    verdict: SpendDayVerdict,
  ): SpendAnomalyDriver[] {
    const drivers: SpendAnomalyDriver[] = [];
    for (const [service, amounts] of series.services) {
      const increase =
        amounts[index] - median(amounts.slice(index - historyDays, index));
      if (increase > 0 && increase >= verdict.excess * MIN_DRIVER_SHARE) {
        drivers.push({ service: service || 'Other', increase });
      }
    }
    return drivers
      .sort((a, b) => b.increase - a.increase)
      .slice(0, MAX_DRIVERS);
  }

  /** Sends one alert per subscription and day (all its currencies together); returns how many were recorded. */
  private async notify(findings: SpendAnomalyFinding[]): Promise<number> {
    const { logger, notifier } = this.options;
    const bySubscriptionDay = new Map<string, SpendAnomalyFinding[]>();
    for (const finding of findings) {
      const key = `${finding.subscriptionId}\u0000${finding.day}`;
      bySubscriptionDay.set(key, [
        ...(bySubscriptionDay.get(key) ?? []),
        finding,
      ]);
    }
    const entities = await this.subscriptionEntities([
      ...new Set(findings.map(f => f.subscriptionId)),
    ]);
    if (!entities) return 0;

    let alerts = 0;
    for (const group of bySubscriptionDay.values()) {
      const { subscriptionId, day } = group[0];
      const entity = entities.get(subscriptionId);
      const owner = entity && entityOwnerRef(entity);
      if (!entity || !owner) {
        logger.debug(
          `Spend anomaly of subscription ${subscriptionId} on ${day} not sent: ${
            entity
              ? 'its catalog entity has no owner'
              : 'it has no catalog entity'
          }`,
        );
        continue;
      }
      const { title, description } = describeSpendAnomaly(
        entity.metadata.title || subscriptionId,
        group,
      );
      try {
        const alert = await notifier.notify({
          kind: 'anomaly',
          day,
          scopeRef: stringifyEntityRef(entity),
          recipients: [owner],
          title,
          description,
          link: spendTabOf(entity),
          delivery: 'pending',
          dedupeKey: `anomaly:${subscriptionId}:${day}`,
        });
        if (alert) alerts++;
      } catch (error) {
        logger.warn(
          `Spend anomaly of subscription ${subscriptionId} on ${day} could not be recorded: ${stringifyError(
            error,
          )}`,
        );
      }
    }
    return alerts;
  }

  /**
   * The catalog entities of some subscriptions, by subscription id, read with the plugin's own credentials; undefined
   * when the catalog cannot be read (the alerts are then due again on the next run).
   */
  private async subscriptionEntities(
    subscriptionIds: string[],
  ): Promise<Map<string, Entity> | undefined> {
    const { auth, catalog, logger } = this.options;
    const entities = new Map<string, Entity>();
    try {
      const credentials = await auth.getOwnServiceCredentials();
      const { items } = await catalog.getEntitiesByRefs(
        {
          entityRefs: subscriptionIds.map(azureSubscriptionEntityRef),
          fields: [
            'kind',
            'metadata.name',
            'metadata.namespace',
            'metadata.title',
            'spec.owner',
          ],
        },
        { credentials },
      );
      items.forEach((entity, i) => {
        if (entity) entities.set(subscriptionIds[i], entity);
      });
    } catch (error) {
      logger.warn(
        `Spend anomalies not sent: the catalog could not be read: ${stringifyError(
          error,
        )}`,
      );
      return undefined;
    }
    return entities;
  }
}

/** The Spend tab of an entity's page. */
function spendTabOf(entity: Entity): string {
  return `/catalog/${[
    entity.metadata.namespace ?? 'default',
    entity.kind.toLocaleLowerCase('en-US'),
    entity.metadata.name,
  ]
    .map(encodeURIComponent)
    .join('/')}/spend`;
}
