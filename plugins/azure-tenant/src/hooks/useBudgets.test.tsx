import { ReactNode } from 'react';
import { act, renderHook, waitFor } from '@testing-library/react';
import { TestApiProvider } from '@backstage/test-utils';
import { BudgetStatus } from '@azure-tenant/plugin-azure-tenant-common';
import { AzureTenantApi, azureTenantApiRef } from '../api';
import { budgetStatus } from '../__testUtils__/budgetFixtures';
import { useBudgets } from './useBudgets';

describe('useBudgets', () => {
  it('loads again when reloaded while the first load is still under way, so a budget just created shows', async () => {
    let answerFirst: (items: BudgetStatus[]) => void = () => {};
    const created = budgetStatus();
    const listBudgets = jest
      .fn()
      .mockImplementationOnce(
        () => new Promise<BudgetStatus[]>(resolve => (answerFirst = resolve)),
      )
      .mockResolvedValueOnce([created]);
    const api = { listBudgets } as Partial<AzureTenantApi>;
    const wrapper = ({ children }: { children: ReactNode }) => (
      <TestApiProvider apis={[[azureTenantApiRef, api]]}>
        {children}
      </TestApiProvider>
    );
    const { result } = renderHook(
      () => useBudgets({ owner: 'group:default/a' }),
      {
        wrapper,
      },
    );
    expect(result.current.loading).toBe(true);

    // The user created a budget before the list had arrived.
    act(() => result.current.reload());
    await waitFor(() => expect(listBudgets).toHaveBeenCalledTimes(2));
    // The first, older answer arrives last: it must not replace the newer one.
    await act(async () => answerFirst([]));
    await waitFor(() => expect(result.current.loading).toBe(false));
    expect(result.current.items).toEqual([created]);
  });
});
