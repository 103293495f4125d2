import { ReactNode } from 'react';
import { renderHook, waitFor } from '@testing-library/react';
import { TestApiProvider } from '@backstage/test-utils';
import { AzureTenantApi, azureTenantApiRef } from '../api';
import { useSubscriptionViolations } from './useTagCompliance';

function wrapperOf(api: Partial<AzureTenantApi>) {
  return ({ children }: { children: ReactNode }) => (
    <TestApiProvider apis={[[azureTenantApiRef, api]]}>
      {children}
    </TestApiProvider>
  );
}

const item = (n: number) => ({
  resourceId: `/subscriptions/sub-1/resourceGroups/rg/providers/Microsoft.Web/sites/Site-${n}`,
  subscriptionId: 'sub-1',
  resourceGroup: 'rg',
  type: 'Microsoft.Web/sites',
  name: `Site-${n}`,
  status: 'non-compliant' as const,
  violations: [],
  evaluatedAt: '2025-03-14T10:00:00Z',
});

describe('useSubscriptionViolations', () => {
  it('reads every page of a policy and finds a resource by its id in any case', async () => {
    const listTagCompliance = jest.fn(async (query: any) =>
      query.cursor
        ? { items: [item(2)] }
        : { items: [item(1)], nextCursor: 'n' },
    );
    const { result } = renderHook(
      () => useSubscriptionViolations('sub-1', 'p-1'),
      { wrapper: wrapperOf({ listTagCompliance }) },
    );

    await waitFor(() => expect(result.current.items).toHaveLength(2));
    expect(listTagCompliance).toHaveBeenLastCalledWith({
      subscriptionId: 'sub-1',
      status: 'non-compliant',
      policyId: 'p-1',
      cursor: 'n',
      limit: 500,
    });
    expect(
      result.current.byResourceId.get(item(2).resourceId.toLowerCase())?.name,
    ).toBe('Site-2');
    expect(result.current.truncated).toBe(false);
  });

  it('stops after 10,000 resources and says the list is cut', async () => {
    let page = 0;
    const listTagCompliance = jest.fn(async () => ({
      items: Array.from({ length: 500 }, () => item(page++)),
      nextCursor: 'more',
    }));
    const { result } = renderHook(() => useSubscriptionViolations('sub-1'), {
      wrapper: wrapperOf({ listTagCompliance }),
    });

    await waitFor(() => expect(result.current.truncated).toBe(true));
    expect(listTagCompliance).toHaveBeenCalledTimes(20);
    expect(result.current.items).toHaveLength(10_000);
  });

  it('reads nothing without a subscription', async () => {
    const listTagCompliance = jest.fn();
    const { result } = renderHook(() => useSubscriptionViolations(undefined), {
      wrapper: wrapperOf({ listTagCompliance }),
    });

    await waitFor(() => expect(result.current.loading).toBe(false));
    expect(listTagCompliance).not.toHaveBeenCalled();
    expect(result.current.items).toBeUndefined();
  });
});
