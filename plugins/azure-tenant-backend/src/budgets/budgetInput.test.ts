import { parseBudgetInput, parseMuteUntil } from './budgetInput';

// The rules as the actions and app-config meet them: there is no OpenAPI validation in front of these.
const SUBSCRIPTION = '3F1C2A4E-8B7D-4C6A-9E5F-1A2B3C4D5E6F';

const valid = (fields: Record<string, unknown> = {}) => ({
  name: 'Platform',
  scope: { kind: 'subscription', subscriptionId: SUBSCRIPTION },
  amount: 1000,
  currency: 'USD',
  period: { type: 'monthly' },
  ...fields,
});

const messageOf = (body: unknown) => {
  try {
    parseBudgetInput(body);
  } catch (error) {
    expect((error as Error).name).toBe('InputError');
    return (error as Error).message;
  }
  throw new Error('was accepted');
};

describe('parseBudgetInput', () => {
  it('fills in the default thresholds and normalizes ids and refs', () => {
    expect(
      parseBudgetInput(valid({ owner: 'Team-A', name: '  Platform ' })),
    ).toEqual({
      name: 'Platform',
      scope: {
        kind: 'subscription',
        subscriptionId: SUBSCRIPTION.toLowerCase(),
      },
      amount: 1000,
      currency: 'USD',
      period: { type: 'monthly' },
      thresholds: [
        { type: 'actual', percent: 50 },
        { type: 'actual', percent: 80 },
        { type: 'actual', percent: 100 },
        { type: 'forecast', percent: 100 },
      ],
      owner: 'group:default/team-a',
    });
    expect(
      parseBudgetInput(
        valid({
          scope: { kind: 'entity', entityRef: 'Component:Default/Web' },
        }),
      ).scope,
    ).toEqual({ kind: 'entity', entityRef: 'component:default/web' });
  });

  it('accepts every kind of scope and period', () => {
    for (const fields of [
      {
        scope: {
          kind: 'resourceGroup',
          subscriptionId: SUBSCRIPTION,
          resourceGroup: 'rg-(web)_1.a',
        },
      },
      {
        scope: {
          kind: 'customGroup',
          name: 'Data',
          tags: [{ key: 'costCenter', value: '42' }],
        },
        owner: 'user:default/alice',
      },
      { period: { type: 'yearly', startMonth: 4 } },
      { period: { type: 'quarterly' } },
      {
        period: {
          type: 'custom',
          startDate: '2026-01-01',
          endDate: '2031-01-01',
        },
      },
      { thresholds: [{ type: 'forecast', percent: 1000 }] },
    ]) {
      expect(() => parseBudgetInput(valid(fields))).not.toThrow();
    }
  });

  it.each([
    [
      'an unknown field',
      valid({ dryRun: true }),
      "Unrecognized key(s) in object: 'dryRun'",
    ],
    [
      'a subscription id that is not a GUID',
      valid({ scope: { kind: 'subscription', subscriptionId: 'platform' } }),
      'scope.subscriptionId must be a subscription id, a GUID',
    ],
    [
      'an unknown kind of scope',
      valid({ scope: { kind: 'tenant' } }),
      'scope.kind: Invalid discriminator value',
    ],
    ['a missing amount', valid({ amount: undefined }), 'amount: Required'],
    ['an amount of 0', valid({ amount: 0 }), 'amount must be at least 0.01'],
    [
      'an amount below a cent, whose percentages would overflow',
      valid({ amount: 1e-300 }),
      'amount must be at least 0.01',
    ],
    ['an amount over 1e12', valid({ amount: 1e13 }), 'amount must be at most'],
    [
      'a currency in lower case',
      valid({ currency: 'eur' }),
      'currency must be an ISO 4217 code',
    ],
    [
      'a start month of 0',
      valid({ period: { type: 'quarterly', startMonth: 0 } }),
      'period.startMonth must be a month, 1 to 12',
    ],
    [
      'a date that does not exist',
      valid({
        period: {
          type: 'custom',
          startDate: '2026-01-01',
          endDate: '2026-13-01',
        },
      }),
      'period.endDate must be a date that exists',
    ],
    [
      'too many thresholds',
      valid({ thresholds: Array(11).fill({ type: 'actual', percent: 1 }) }),
      'thresholds must hold at most 10',
    ],
    [
      'a threshold of another type',
      valid({ thresholds: [{ type: 'budget', percent: 50 }] }),
      'thresholds.0.type',
    ],
    [
      'an owner of another kind',
      valid({ owner: 'system:default/shop' }),
      'owner must be a group or a user',
    ],
    [
      'an owner that is no ref',
      valid({ owner: 'group:' }),
      'owner must be an entity reference',
    ],
  ])('names the field of %s', (_name, body, message) => {
    expect(messageOf(body)).toContain(message);
  });

  it('refuses half of a surrogate pair, which can be neither stored nor sent to the catalog', () => {
    const lone = 'well-formed Unicode';
    expect(messageOf(valid({ name: 'Payments \ud800' }))).toContain(
      `name must be ${lone}`,
    );
    expect(messageOf(valid({ owner: 'group:default/pay\udc00' }))).toContain(
      `owner must be ${lone}`,
    );
    expect(
      messageOf(
        valid({
          scope: { kind: 'entity', entityRef: 'component:default/a\ud83d' },
        }),
      ),
    ).toContain(`scope.entityRef must be ${lone}`);
    expect(
      messageOf(
        valid({
          scope: { kind: 'customGroup', name: 'G', tags: [{ key: 'k\ud800' }] },
          owner: 'team-a',
        }),
      ),
    ).toContain(`scope.tags.0.key must be ${lone}`);
    // A pair is text; so is a tag value with a tab, which Azure allows.
    expect(
      parseBudgetInput(valid({ name: 'Payments \ud83d\udcb0' })).name,
    ).toBe('Payments \ud83d\udcb0');
    expect(() =>
      parseBudgetInput(
        valid({
          scope: {
            kind: 'customGroup',
            name: 'G',
            tags: [{ key: 'team', value: 'a\tb' }],
          },
          owner: 'team-a',
        }),
      ),
    ).not.toThrow();
  });

  it('lists every problem at once', () => {
    const message = messageOf(valid({ name: '', amount: -1, currency: 'x' }));
    expect(message).toMatch(/^Invalid budget: /);
    expect(message).toContain('name must not be empty');
    expect(message).toContain('amount must be at least 0.01');
    expect(message).toContain('currency must be an ISO 4217 code');
  });
});

describe('parseMuteUntil', () => {
  const now = new Date('2026-11-25T12:00:00Z');

  it('takes a time up to a year ahead, in UTC, and null to end a mute', () => {
    expect(parseMuteUntil('2026-12-01T10:00:00+02:00', now)).toBe(
      '2026-12-01T08:00:00.000Z',
    );
    expect(parseMuteUntil('2027-11-25T12:00:00Z', now)).toBe(
      '2027-11-25T12:00:00.000Z',
    );
    expect(parseMuteUntil(null, now)).toBeUndefined();
  });

  it.each([
    [undefined, 'ISO 8601'],
    [42, 'ISO 8601'],
    ['soon', 'ISO 8601'],
    ['2026-11-25T11:59:59Z', 'in the future'],
    ['2027-11-25T12:00:01Z', 'at most a year ahead'],
  ])('refuses %p', (until, message) => {
    expect(() => parseMuteUntil(until, now)).toThrow(message);
  });
});
