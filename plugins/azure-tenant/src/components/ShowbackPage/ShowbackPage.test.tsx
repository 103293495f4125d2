import { screen } from '@testing-library/react';
import { TestApiProvider, renderInTestApp } from '@backstage/test-utils';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { azureTenantApiRef } from '../../api';
import { mockAzureTenantApi } from '../../__testUtils__/mockAzureTenantApi';
import { ShowbackPage } from './ShowbackPage';

describe('ShowbackPage', () => {
  it('shows the showback of every owner under its header', async () => {
    const api = mockAzureTenantApi({
      getShowback: jest.fn().mockResolvedValue({
        from: '2025-03',
        to: '2025-03',
        rows: [
          {
            month: '2025-03',
            owner: 'unallocated',
            currency: 'USD',
            amount: 10,
            resourceCount: 1,
          },
        ],
        totals: [{ month: '2025-03', currency: 'USD', amount: 10 }],
        notes: [],
      }),
    });
    await renderInTestApp(
      <TestApiProvider apis={[[azureTenantApiRef, api]]}>
        <ShowbackPage />
      </TestApiProvider>,
      { mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef } },
    );

    expect(
      screen.getByRole('heading', { level: 1, name: 'Showback' }),
    ).toBeInTheDocument();
    expect(await screen.findByText('Unallocated')).toBeInTheDocument();
    expect(api.getShowback).toHaveBeenCalledWith(
      expect.not.objectContaining({ owner: expect.anything() }),
    );
  });
});
