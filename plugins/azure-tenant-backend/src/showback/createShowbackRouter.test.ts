import express from 'express';
import request from 'supertest';
import {
  mockCredentials,
  mockErrorHandler,
  mockServices,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { AuthorizePermissionRequest } from '@backstage/plugin-permission-common';
import { Knex } from 'knex';
import { releaseTestDatabase } from '../__testUtils__/releaseTestDatabase';
import { DatabaseSpendStore } from '../spend/DatabaseSpendStore';
import {
  azureEntity,
  fixtureEntities,
  PLATFORM_TEAM,
  prepareShowbackDatabase,
  RESOURCES,
  showbackOptions,
} from './__testUtils__/showbackFixture';
import { createShowbackRouter } from './createShowbackRouter';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

/** An owner ref that needs quoting in CSV: the catalog relates any text an entity's spec.owner holds. */
const ODD_OWNER = 'group:default/"ops, west"';

describe.each(databases.eachSupportedId())('GET /showback (%s)', databaseId => {
  let knex: Knex;
  let store: DatabaseSpendStore;

  beforeEach(async () => {
    knex = await databases.init(databaseId);
    store = await prepareShowbackDatabase(knex);
  });
  afterEach(() => releaseTestDatabase(knex));

  async function app(
    denies?: (request: AuthorizePermissionRequest) => boolean,
  ) {
    const entities = fixtureEntities().map(entity =>
      entity.metadata.annotations?.['management.azure.com/resourceId'] ===
      RESOURCES.web
        ? azureEntity(RESOURCES.web, ODD_OWNER, 'tag')
        : entity,
    );
    const { operations } = showbackOptions(store, { entities, denies });
    return express()
      .use(
        await createShowbackRouter({
          ...operations,
          httpAuth: mockServices.httpAuth({
            defaultCredentials: mockCredentials.user(),
          }),
        }),
      )
      .use(mockErrorHandler());
  }

  it('answers with the showback as JSON', async () => {
    const response = await request(await app()).get(
      '/showback?from=2026-11&to=2026-11',
    );
    expect(response.status).toBe(200);
    expect(response.body.from).toBe('2026-11');
    expect(response.body.rows).toContainEqual({
      month: '2026-11',
      owner: PLATFORM_TEAM,
      currency: 'USD',
      amount: 9.12,
      resourceCount: 2,
    });
    expect(response.body.totals).toContainEqual({
      month: '2026-11',
      currency: 'USD',
      amount: 158.52,
    });
  });

  it('exports the rows as a CSV attachment, quoted as RFC 4180 says', async () => {
    const response = await request(await app()).get(
      '/showback.csv?from=2026-11&to=2026-11',
    );
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toBe(
      'attachment; filename="showback-2026-11-2026-11.csv"',
    );
    expect(response.text).toBe(
      [
        'month,owner,currency,amount,resources',
        '2026-11,"group:default/""ops, west""",USD,21.00,1',
        '2026-11,group:default/payments,USD,75.00,0',
        '2026-11,group:default/platform,EUR,4.50,1',
        '2026-11,group:default/platform,USD,9.12,2',
        '2026-11,user:default/jane.doe,USD,9.90,1',
        '2026-11,unallocated,EUR,7.50,1',
        '2026-11,unallocated,USD,43.50,2',
        '',
      ].join('\r\n'),
    );
  });

  it("exports one owner's rows only, when asked", async () => {
    const response = await request(await app()).get(
      `/showback.csv?from=2026-10&to=2026-11&owner=${encodeURIComponent(
        PLATFORM_TEAM,
      )}`,
    );
    expect(response.status).toBe(200);
    expect(response.text.split('\r\n')).toEqual([
      'month,owner,currency,amount,resources',
      '2026-10,group:default/platform,EUR,4.65,1',
      '2026-10,group:default/platform,USD,9.43,2',
      '2026-11,group:default/platform,EUR,4.50,1',
      '2026-11,group:default/platform,USD,9.12,2',
      '',
    ]);
  });

  it.each([
    ['from missing', 'to=2026-11', /from/],
    ['a day for a month', 'from=2026-11-01&to=2026-11', /from/],
    ['month 13', 'from=2026-13&to=2026-11', /from/],
    ['from after to', 'from=2026-11&to=2026-10', /must not be after/],
    ['over 24 months', 'from=2020-01&to=2026-11', /at most 24 months/],
    [
      'an owner that is a component',
      'from=2026-11&to=2026-11&owner=component%3Adefault%2Fx',
      /group or a user/,
    ],
    [
      'an unknown parameter',
      'from=2026-11&to=2026-11&currency=USD',
      /currency/,
    ],
  ])('answers 400 to %s, as JSON and CSV', async (_name, query, message) => {
    for (const path of ['/showback', '/showback.csv']) {
      const response = await request(await app()).get(`${path}?${query}`);
      expect(response.status).toBe(400);
      expect(response.body.error.message).toMatch(message);
    }
  });

  it('answers 403 to a caller who may see nothing', async () => {
    const response = await request(await app(() => true)).get(
      '/showback.csv?from=2026-11&to=2026-11',
    );
    expect(response.status).toBe(403);
    expect(response.body.error.name).toBe('NotAllowedError');
  });
});
