import { ConfigReader } from '@backstage/config';
import { ExchangeRates } from './exchangeRates';

const withRates = (exchangeRates: unknown) =>
  ExchangeRates.fromConfig(
    new ConfigReader({ azureTenant: { budgets: { exchangeRates } } } as any),
  );

describe('ExchangeRates', () => {
  it('converts at the configured rate and says how', () => {
    const rates = withRates([{ from: 'USD', to: 'EUR', rate: 0.92 }]);
    expect(rates.convert(100, 'USD', 'EUR')).toEqual({
      amount: 92,
      note: 'USD converted to EUR at 0.92 (azureTenant.budgets.exchangeRates)',
    });
  });

  it('converts the other way at the inverse rate', () => {
    const rates = withRates([{ from: 'USD', to: 'EUR', rate: 0.8 }]);
    const converted = rates.convert(80, 'EUR', 'USD');
    expect(converted?.amount).toBeCloseTo(100, 10);
    expect(converted?.note).toBe(
      'EUR converted to USD at 1.25 (1/0.8, the USD to EUR rate of azureTenant.budgets.exchangeRates)',
    );
  });

  it('prefers a configured rate to the inverse of the other way', () => {
    const rates = withRates([
      { from: 'USD', to: 'EUR', rate: 0.9 },
      { from: 'EUR', to: 'USD', rate: 1.2 },
    ]);
    expect(rates.convert(10, 'EUR', 'USD')?.amount).toBeCloseTo(12, 10);
    expect(rates.convert(10, 'USD', 'EUR')?.amount).toBeCloseTo(9, 10);
  });

  it('converts nothing without a rate, and the same currency as it is', () => {
    const rates = withRates([{ from: 'USD', to: 'EUR', rate: 0.9 }]);
    expect(rates.convert(10, 'GBP', 'EUR')).toBeUndefined();
    expect(rates.canConvert('GBP', 'EUR')).toBe(false);
    expect(rates.convert(10, 'GBP', 'GBP')).toEqual({ amount: 10, note: '' });
    expect(withRates(undefined).canConvert('USD', 'EUR')).toBe(false);
  });

  it.each([
    [
      [{ from: 'usd', to: 'EUR', rate: 1 }],
      "Invalid config: azureTenant.budgets.exchangeRates[0].from must be an ISO 4217 currency code (three capital letters, e.g. USD), not 'usd'",
    ],
    [
      [{ from: 'USD', to: 'EURO', rate: 1 }],
      "exchangeRates[0].to must be an ISO 4217 currency code (three capital letters, e.g. USD), not 'EURO'",
    ],
    [
      [{ from: 'USD', to: 'EUR', rate: 0 }],
      'exchangeRates[0].rate must be a number above 0 (units of EUR for one USD), not 0',
    ],
    [
      [{ from: 'USD', to: 'EUR', rate: -2 }],
      'exchangeRates[0].rate must be a number above 0 (units of EUR for one USD), not -2',
    ],
    [
      [{ from: 'USD', to: 'USD', rate: 1 }],
      'exchangeRates[0] converts USD to itself, which needs no rate',
    ],
    [
      [
        { from: 'USD', to: 'EUR', rate: 0.9 },
        { from: 'USD', to: 'EUR', rate: 0.91 },
      ],
      'exchangeRates[1] repeats the rate from USD to EUR: give each pair once',
    ],
    [
      [{ from: 'USD', to: 'EUR', rate: 'lots' }],
      'exchangeRates[0].rate is missing or of the wrong type',
    ],
    [
      [{ from: 'USD', rate: 1 }],
      'exchangeRates[0].to is missing or of the wrong type',
    ],
  ])(
    'refuses %j at startup with a message naming the entry',
    (entries, message) => {
      expect(() => withRates(entries)).toThrow(message);
    },
  );
});
