import { Config } from '@backstage/config';
import { AzureTenantConfigError } from '@azure-tenant/plugin-azure-tenant-common';

/** Where the rates are configured, for messages. */
const CONFIG_KEY = 'azureTenant.budgets.exchangeRates';

/** One configured rate: `rate` units of `to` per unit of `from`. */
export interface ExchangeRate {
  from: string;
  to: string;
  rate: number;
}

/** An amount converted into another currency, and a sentence that says how. */
export interface ConvertedAmount {
  amount: number;
  /** E.g. `USD converted to EUR at 0.92 (azureTenant.budgets.exchangeRates)`; `''` when nothing was converted. */
  note: string;
}

const CURRENCY = /^[A-Z]{3}$/;

/** Shows a rate with the precision it was given, without a float's noise. */
function formatRate(rate: number): string {
  return String(Number(rate.toPrecision(6)));
}

/**
 * The exchange rates that budgets may use when their currency differs from their scope's spend
 * (`azureTenant.budgets.exchangeRates`). A configured pair also converts the other way, at 1/rate, unless that way
 * is configured too. Currencies are never mixed without one of these rates.
 */
export class ExchangeRates {
  private readonly rates = new Map<string, { rate: number; note: string }>();

  /**
   * Reads and checks the configured rates: ISO 4217 codes (three capital letters), a rate above 0, no pair twice.
   * A wrong entry stops the backend at startup with a message that names it.
   */
  static fromConfig(config: Config): ExchangeRates {
    const entries = config.getOptionalConfigArray(CONFIG_KEY) ?? [];
    return new ExchangeRates(
      entries.map((entry, index) => {
        const where = `${CONFIG_KEY}[${index}]`;
        const read = <T>(field: string, get: () => T): T => {
          try {
            return get();
          } catch (error) {
            throw new AzureTenantConfigError(
              `${where}.${field}`,
              'is missing or of the wrong type',
              error,
            );
          }
        };
        return {
          from: read('from', () => entry.getString('from')),
          to: read('to', () => entry.getString('to')),
          rate: read('rate', () => entry.getNumber('rate')),
        };
      }),
    );
  }

  constructor(rates: ExchangeRate[] = []) {
    const direct = new Set<string>();
    rates.forEach(({ from, to, rate }, index) => {
      const where = `${CONFIG_KEY}[${index}]`;
      for (const [field, code] of [
        ['from', from],
        ['to', to],
      ]) {
        if (!CURRENCY.test(code)) {
          throw new AzureTenantConfigError(
            `${where}.${field}`,
            `must be an ISO 4217 currency code (three capital letters, e.g. USD), not '${code}'`,
          );
        }
      }
      if (from === to) {
        throw new AzureTenantConfigError(
          where,
          `converts ${from} to itself, which needs no rate`,
        );
      }
      if (typeof rate !== 'number' || !Number.isFinite(rate) || rate <= 0) {
        throw new AzureTenantConfigError(
          `${where}.rate`,
          `must be a number above 0 (units of ${to} for one ${from}), not ${rate}`,
        );
      }
      const pair = `${from}>${to}`;
      if (direct.has(pair)) {
        throw new AzureTenantConfigError(
          where,
          `repeats the rate from ${from} to ${to}: give each pair once`,
        );
      }
      direct.add(pair);
      this.rates.set(pair, {
        rate,
        note: `${from} converted to ${to} at ${formatRate(
          rate,
        )} (${CONFIG_KEY})`,
      });
    });
    // The inverses, where the other way is not configured itself.
    for (const { from, to, rate } of rates) {
      const inverse = `${to}>${from}`;
      if (direct.has(inverse)) continue;
      this.rates.set(inverse, {
        rate: 1 / rate,
        note: `${to} converted to ${from} at ${formatRate(
          1 / rate,
        )} (1/${formatRate(rate)}, the ${from} to ${to} rate of ${CONFIG_KEY})`,
      });
    }
  }

  /** Whether amounts in `from` can be converted to `to` (always, for the same currency). */
  canConvert(from: string, to: string): boolean {
    return from === to || this.rates.has(`${from}>${to}`);
  }

  /** `amount` in `from`, converted to `to`; undefined when no rate is configured for the pair. */
  convert(
    amount: number,
    from: string,
    to: string,
  ): ConvertedAmount | undefined {
    if (from === to) return { amount, note: '' };
    const rate = this.rates.get(`${from}>${to}`);
    if (!rate) return undefined;
    return { amount: amount * rate.rate, note: rate.note };
  }
}
