import { ConfigReader } from '@backstage/config';
import { JsonObject } from '@backstage/types';
import {
  DEFAULT_SPEND_ANOMALY_CONFIG,
  readSpendAnomalyConfig,
} from './SpendAnomalyConfig';

const read = (anomalies?: JsonObject) =>
  readSpendAnomalyConfig(
    new ConfigReader(
      anomalies ? { azureTenant: { budgets: { anomalies } } } : {},
    ),
  );

describe('readSpendAnomalyConfig', () => {
  it('defaults to 28 days of history, 4 spreads, 50% and 10', () => {
    expect(read()).toEqual({
      enabled: true,
      historyDays: 28,
      sensitivity: 4,
      minimumIncreasePercent: 50,
      minimumAmount: 10,
    });
    expect(read({})).toEqual(DEFAULT_SPEND_ANOMALY_CONFIG);
  });

  it('reads every setting', () => {
    expect(
      read({
        enabled: false,
        historyDays: 42,
        sensitivity: 2.5,
        minimumIncreasePercent: 0,
        minimumAmount: 0.5,
      }),
    ).toEqual({
      enabled: false,
      historyDays: 42,
      sensitivity: 2.5,
      minimumIncreasePercent: 0,
      minimumAmount: 0.5,
    });
  });

  it.each([
    [
      { historyDays: 7 },
      'Invalid config: azureTenant.budgets.anomalies.historyDays must be a whole number from 14 to 90, got 7',
    ],
    [
      { historyDays: 20.5 },
      'Invalid config: azureTenant.budgets.anomalies.historyDays must be a whole number from 14 to 90, got 20.5',
    ],
    [
      { sensitivity: 0 },
      'Invalid config: azureTenant.budgets.anomalies.sensitivity must be a number above 0 and at most 20, got 0',
    ],
    [
      { minimumIncreasePercent: -5 },
      'Invalid config: azureTenant.budgets.anomalies.minimumIncreasePercent must be a number from 0 to 10000, got -5',
    ],
    [
      { minimumAmount: -1 },
      'Invalid config: azureTenant.budgets.anomalies.minimumAmount must be a number 0 or more, got -1',
    ],
  ])('refuses %j with a message naming the setting', (anomalies, message) => {
    expect(() => read(anomalies)).toThrow(message);
  });

  it('refuses values of the wrong type', () => {
    expect(() => read({ sensitivity: 'high' })).toThrow(
      /^Invalid config: azureTenant\.budgets\.anomalies\.sensitivity must be a number \(/,
    );
    expect(() => read({ enabled: 'sometimes' })).toThrow(
      /^Invalid config: azureTenant\.budgets\.anomalies\.enabled must be true or false \(/,
    );
  });
});
