import {
  AzureBudget,
  SavingsRecommendation,
} from '@azure-tenant/plugin-azure-tenant-common';
import { SpendScope } from '../spend/SpendStore';

/** An Azure budget as read, before the store stamps it with the time of the read. */
export type AzureBudgetRead = Omit<AzureBudget, 'readAt'>;

/** Where the savings sync of one subscription stands. */
export interface SavingsSyncState {
  subscriptionId: string;
  /** When recommendations and budgets were last read successfully (ISO 8601). */
  lastReadAt?: string;
  lastAttemptAt?: string;
  lastStatus?: 'succeeded' | 'failed';
  /** Why the last read failed, as a sentence. */
  lastError?: string;
}

/** One successful read of a subscription: everything Azure holds now, replacing what was stored. */
export interface SavingsRead {
  subscriptionId: string;
  recommendations: SavingsRecommendation[];
  azureBudgets: AzureBudgetRead[];
  at: Date;
}

/**
 * Storage of what the savings sync reads: Advisor's cost recommendations, Azure's own budgets and each subscription's
 * read state.
 */
export interface SavingsStore {
  /**
   * Replaces a subscription's recommendations and Azure budgets with those of `read`, and records the read, in one
   * transaction: what Azure no longer lists is gone afterwards.
   */
  replaceSubscription(read: SavingsRead): Promise<void>;
  /** Records a failed read; the rows of the last good read stay. */
  recordReadFailure(options: {
    subscriptionId: string;
    at: Date;
    error: string;
  }): Promise<void>;
  /** The recommendations of whole subscriptions and of single resources (lower-cased ids), each once. */
  listRecommendations(scope: SpendScope): Promise<SavingsRecommendation[]>;
  listSyncStates(subscriptionIds: string[]): Promise<SavingsSyncState[]>;
  /** The Azure budgets of these subscriptions. */
  listAzureBudgets(subscriptionIds: string[]): Promise<AzureBudget[]>;
}
