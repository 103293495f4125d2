import { Knex } from 'knex';
import {
  Budget,
  BudgetPeriod,
  BudgetScope,
  BudgetThreshold,
} from '@azure-tenant/plugin-azure-tenant-common';
import { BudgetStore } from './BudgetStore';

const TABLE = 'budgets';

type BudgetRow = {
  id: string;
  name: string;
  scope_kind: BudgetScope['kind'];
  scope: string;
  owner: string;
  amount: number;
  currency: string;
  period: string;
  thresholds: string;
  source: Budget['source'];
  muted_until: string | null;
  created_by: string | null;
  created_at: string;
  updated_at: string;
};

/** The columns a budget's content fills: everything but its identity and who made it when. */
type ContentColumns = Omit<
  BudgetRow,
  'id' | 'source' | 'created_by' | 'created_at'
>;

function contentColumns(budget: Budget): ContentColumns {
  return {
    name: budget.name,
    scope_kind: budget.scope.kind,
    scope: JSON.stringify(budget.scope),
    owner: budget.owner,
    amount: budget.amount,
    currency: budget.currency,
    period: JSON.stringify(budget.period),
    thresholds: JSON.stringify(budget.thresholds),
    muted_until: budget.mutedUntil ?? null,
    updated_at: budget.updatedAt,
  };
}

function toRow(budget: Budget): BudgetRow {
  return {
    id: budget.id,
    source: budget.source,
    created_by: budget.createdBy ?? null,
    created_at: budget.createdAt,
    ...contentColumns(budget),
  };
}

function fromRow(row: BudgetRow): Budget {
  return {
    id: row.id,
    name: row.name,
    scope: JSON.parse(row.scope) as BudgetScope,
    owner: row.owner,
    // PostgreSQL's driver may answer a double as a string.
    amount: Number(row.amount),
    currency: row.currency,
    period: JSON.parse(row.period) as BudgetPeriod,
    thresholds: JSON.parse(row.thresholds) as BudgetThreshold[],
    source: row.source,
    ...(row.muted_until ? { mutedUntil: row.muted_until } : {}),
    ...(row.created_by ? { createdBy: row.created_by } : {}),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Whether a declared budget's stored row says something other than its config now (the time aside). */
function declaredContentDiffers(row: BudgetRow, budget: Budget): boolean {
  const wanted = contentColumns(budget);
  return (
    (
      ['name', 'scope', 'owner', 'currency', 'period', 'thresholds'] as const
    ).some(column => row[column] !== wanted[column]) ||
    Number(row.amount) !== wanted.amount
  );
}

/**
 * {@link BudgetStore} on the plugin's database (SQLite or PostgreSQL), the one writer of the table `budgets`, on a
 * schema that `migrateDatabase` has brought up to date.
 */
export class DatabaseBudgetStore implements BudgetStore {
  constructor(private readonly db: Knex) {}

  async list(): Promise<Budget[]> {
    const rows: BudgetRow[] = await this.db(TABLE).select().orderBy('id');
    return rows.map(fromRow);
  }

  async get(id: string): Promise<Budget | undefined> {
    const row: BudgetRow | undefined = await this.db(TABLE)
      .where({ id })
      .first();
    return row ? fromRow(row) : undefined;
  }

  async create(budget: Budget): Promise<void> {
    await this.db(TABLE).insert(toRow(budget));
  }

  async replace(id: string, budget: Budget): Promise<void> {
    await this.db(TABLE).where({ id }).update(contentColumns(budget));
  }

  async delete(id: string): Promise<boolean> {
    const deleted = await this.db(TABLE).where({ id }).delete();
    return deleted > 0;
  }

  async setMutedUntil(
    id: string,
    until: string | undefined,
    updatedAt: string,
  ): Promise<void> {
    await this.db(TABLE)
      .where({ id })
      .update({ muted_until: until ?? null, updated_at: updatedAt });
  }

  /**
   * Makes the declared budgets exactly `budgets`, in one transaction. A declared budget whose content did not change
   * keeps its row as it is (its `updatedAt`, and a mute set in the portal); one that changed keeps its mute and
   * creation time. Several replicas may run it at the same time at startup: an insert that finds the row already
   * there leaves it. Budgets created in the portal are never touched.
   */
  async replaceDeclared(budgets: Budget[]): Promise<void> {
    await this.db.transaction(async tx => {
      const existing: BudgetRow[] = await tx(TABLE)
        .where({ source: 'config' })
        .select();
      const byId = new Map(existing.map(row => [row.id, row]));
      const wanted = new Set(budgets.map(b => b.id));
      const gone = existing.filter(row => !wanted.has(row.id));
      if (gone.length > 0) {
        await tx(TABLE)
          .where({ source: 'config' })
          .whereIn(
            'id',
            gone.map(row => row.id),
          )
          .delete();
      }
      for (const budget of budgets) {
        const row = byId.get(budget.id);
        if (!row) {
          await tx(TABLE)
            .insert(toRow({ ...budget, source: 'config' }))
            .onConflict('id')
            .ignore();
        } else if (declaredContentDiffers(row, budget)) {
          const { muted_until: _kept, ...columns } = contentColumns(budget);
          await tx(TABLE)
            .where({ id: budget.id, source: 'config' })
            .update(columns);
        }
      }
    });
  }
}
