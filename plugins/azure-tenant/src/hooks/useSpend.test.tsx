import { ReactNode } from 'react';
import { act, renderHook, waitFor } from '@testing-library/react';
import { TestApiProvider } from '@backstage/test-utils';
import {
  SpendQuery,
  SpendReport,
} from '@azure-tenant/plugin-azure-tenant-common';
import { AzureTenantApi, azureTenantApiRef } from '../api';
import { SpendState, useSpend } from './useSpend';

const query: SpendQuery = {
  subscriptionId: 'sub-1',
  from: '2025-03-01',
  to: '2025-03-15',
  granularity: 'day',
  groupBy: 'service',
};

const report = (status: SpendReport['status']): SpendReport => ({
  query: { ...query, top: 10 } as SpendReport['query'],
  status,
  notes: [],
  series:
    status === 'pending'
      ? []
      : [
          {
            currency: 'USD',
            total: 12.5,
            previousTotal: 0,
            groups: [{ key: 'Storage', total: 12.5, share: 1 }],
            points: [],
          },
        ],
});

function renderSpend(
  getSpend: jest.Mock,
  initialQuery: SpendQuery | undefined = query,
) {
  const api = { getSpend } as Partial<AzureTenantApi> as AzureTenantApi;
  const wrapper = ({ children }: { children: ReactNode }) => (
    <TestApiProvider apis={[[azureTenantApiRef, api]]}>
      {children}
    </TestApiProvider>
  );
  return renderHook<SpendState, { q: SpendQuery | undefined }>(
    ({ q }) => useSpend(q, { pendingRefreshMs: 1000 }),
    { wrapper, initialProps: { q: initialQuery } },
  );
}

describe('useSpend', () => {
  afterEach(() => jest.useRealTimers());

  it('asks again while the first spend sync is pending, keeping the pending answer on screen, until spend is there', async () => {
    jest.useFakeTimers();
    const getSpend = jest
      .fn()
      .mockResolvedValueOnce(report('pending'))
      .mockResolvedValueOnce(report('pending'))
      .mockResolvedValue(report('ok'));
    const { result } = renderSpend(getSpend);

    await waitFor(() => expect(result.current.report?.status).toBe('pending'));
    expect(getSpend).toHaveBeenCalledTimes(1);

    await act(() => jest.advanceTimersByTimeAsync(1000));
    expect(getSpend).toHaveBeenCalledTimes(2);
    // No spinner while asking again: the pending answer stays.
    expect(result.current).toMatchObject({
      loading: false,
      report: { status: 'pending' },
    });

    await act(() => jest.advanceTimersByTimeAsync(1000));
    expect(getSpend).toHaveBeenCalledTimes(3);
    expect(result.current.report?.status).toBe('ok');
    expect(result.current.report?.series[0].total).toBe(12.5);

    // Once spend is there, it is not asked for again.
    await act(() => jest.advanceTimersByTimeAsync(10_000));
    expect(getSpend).toHaveBeenCalledTimes(3);
    expect(getSpend).toHaveBeenCalledWith(query);
  });

  it('stops asking again when the query goes away', async () => {
    jest.useFakeTimers();
    const getSpend = jest.fn().mockResolvedValue(report('pending'));
    const { result, rerender } = renderSpend(getSpend);
    await waitFor(() => expect(result.current.report?.status).toBe('pending'));

    rerender({ q: undefined });
    await act(() => jest.advanceTimersByTimeAsync(10_000));
    expect(getSpend).toHaveBeenCalledTimes(1);
    expect(result.current).toEqual({ loading: false });
  });

  it('shows a spinner, not the previous answer, for a new query', async () => {
    let resolveSecond: (r: SpendReport) => void = () => {};
    const getSpend = jest
      .fn()
      .mockResolvedValueOnce(report('ok'))
      .mockImplementationOnce(
        () => new Promise<SpendReport>(resolve => (resolveSecond = resolve)),
      );
    const { result, rerender } = renderSpend(getSpend);
    await waitFor(() => expect(result.current.report?.status).toBe('ok'));

    rerender({ q: { ...query, groupBy: 'location' } });
    await waitFor(() => expect(result.current.loading).toBe(true));
    expect(result.current.report).toBeUndefined();

    await act(async () => resolveSecond(report('pending')));
    expect(result.current).toMatchObject({
      loading: false,
      report: { status: 'pending' },
    });
  });

  it('shows the error of a failed request', async () => {
    const getSpend = jest.fn().mockRejectedValue(new Error('boom'));
    const { result } = renderSpend(getSpend);
    await waitFor(() => expect(result.current.error?.message).toBe('boom'));
    expect(result.current.loading).toBe(false);
  });
});
