import { ReactNode } from 'react';
import { act, renderHook } from '@testing-library/react';
import { TestApiProvider } from '@backstage/test-utils';
import { azureTenantApiRef } from '../api';
import { mockAzureTenantApi } from '../__testUtils__/mockAzureTenantApi';
import { tagFixJob } from '../__testUtils__/tagGovernanceFixtures';
import { useTagFixJob } from './useTagFixJob';

describe('useTagFixJob', () => {
  const started = tagFixJob({ state: 'pending' });

  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  function render(api: ReturnType<typeof mockAzureTenantApi>) {
    const wrapper = ({ children }: { children: ReactNode }) => (
      <TestApiProvider apis={[[azureTenantApiRef, api]]}>
        {children}
      </TestApiProvider>
    );
    return renderHook(() => useTagFixJob(started, 1000), { wrapper });
  }

  it('reads the progress at each turn until the job is done, then stops', async () => {
    const api = mockAzureTenantApi({
      getTagFixJob: jest
        .fn()
        .mockResolvedValueOnce(tagFixJob({ applied: 2 }))
        .mockResolvedValue(tagFixJob({ state: 'done', applied: 4 })),
    });
    const { result } = render(api);
    expect(result.current.job?.state).toBe('pending');

    await act(() => jest.advanceTimersByTimeAsync(1000));
    expect(result.current.job).toMatchObject({ state: 'running', applied: 2 });
    await act(() => jest.advanceTimersByTimeAsync(1000));
    expect(result.current.job).toMatchObject({ state: 'done', applied: 4 });

    await act(() => jest.advanceTimersByTimeAsync(10_000));
    expect(api.getTagFixJob).toHaveBeenCalledTimes(2);
    expect(api.getTagFixJob).toHaveBeenCalledWith('job-1');
  });

  it('shows a failed read and reads again at the next turn', async () => {
    const api = mockAzureTenantApi({
      getTagFixJob: jest
        .fn()
        .mockRejectedValueOnce(new Error('Failed to fetch'))
        .mockResolvedValue(tagFixJob({ state: 'done', applied: 4 })),
    });
    const { result } = render(api);

    await act(() => jest.advanceTimersByTimeAsync(1000));
    expect(result.current.error?.message).toBe('Failed to fetch');
    expect(result.current.job?.state).toBe('pending');
    await act(() => jest.advanceTimersByTimeAsync(1000));
    expect(result.current.error).toBeUndefined();
    expect(result.current.job?.state).toBe('done');
  });
});
