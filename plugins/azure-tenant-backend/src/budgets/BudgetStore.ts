import { Budget } from '@azure-tenant/plugin-azure-tenant-common';

/** Storage of the budgets, those created in the portal and those declared in app-config. */
export interface BudgetStore {
  list(): Promise<Budget[]>;
  get(id: string): Promise<Budget | undefined>;
  create(budget: Budget): Promise<void>;
  replace(id: string, budget: Budget): Promise<void>;
  delete(id: string): Promise<boolean>;
  setMutedUntil(
    id: string,
    until: string | undefined,
    updatedAt: string,
  ): Promise<void>;
  /** Makes the declared budgets (`source: 'config'`) exactly these: others declared before are removed. */
  replaceDeclared(budgets: Budget[]): Promise<void>;
}
