import { LoggerService } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import {
  AzureTenantConfigError,
  Budget,
} from '@azure-tenant/plugin-azure-tenant-common';
import { z as zod } from 'zod/v3';
import { isGuid } from '../azure/guid';
import {
  budgetOwnerSchema,
  describeZodIssues,
  parseBudgetInput,
} from './budgetInput';
import { BudgetStore } from './BudgetStore';

const KEY = 'azureTenant.budgets.declared';

/** The id of a declared budget: stable, readable, and never a GUID, which names the budgets made in the portal. */
const declaredIdSchema = zod
  .string()
  .regex(
    /^[a-z0-9]+(-[a-z0-9]+)*$/,
    'must be lowercase letters, digits and dashes, not starting or ending with a dash',
  )
  .max(64, 'must be at most 64 characters')
  .refine(
    id => !isGuid(id),
    'must not be a GUID: GUIDs name the budgets created in the portal',
  );

/** What is not a budget's field in an entry: its id, and an owner that is required here. */
const entryExtrasSchema = zod.object({
  id: declaredIdSchema,
  owner: budgetOwnerSchema(zod),
});

/**
 * Reads and checks `azureTenant.budgets.declared` with the rules of `POST /budgets`, plus the entry's `id` and a
 * required `owner`. Throws an {@link AzureTenantConfigError} naming the entry (its index and id) and the field.
 */
export function readDeclaredBudgets(config: Config, now: Date): Budget[] {
  const entries = config.getOptionalConfigArray(KEY) ?? [];
  const at = now.toISOString();
  const seen = new Set<string>();
  return entries.map((entry, index) => {
    const raw = entry.get<Record<string, unknown>>();
    const name =
      typeof raw.id === 'string'
        ? `${KEY}[${index}] (${raw.id})`
        : `${KEY}[${index}]`;
    const extras = entryExtrasSchema.safeParse({
      id: raw.id,
      owner: raw.owner,
    });
    if (!extras.success) {
      throw new AzureTenantConfigError(
        name,
        `is not a valid budget: ${describeZodIssues(extras.error)}`,
      );
    }
    const { id, owner } = extras.data;
    if (seen.has(id)) {
      throw new AzureTenantConfigError(
        name,
        `has the id of an earlier entry: each declared budget needs its own id`,
      );
    }
    seen.add(id);
    const { id: _id, ...fields } = raw;
    let input;
    try {
      input = parseBudgetInput(fields);
    } catch (error) {
      throw new AzureTenantConfigError(
        name,
        `is not a valid budget: ${(error as Error).message.replace(
          /^Invalid budget: /,
          '',
        )}`,
      );
    }
    return {
      ...input,
      id,
      owner,
      source: 'config' as const,
      createdAt: at,
      updatedAt: at,
    };
  });
}

/**
 * Makes the stored declared budgets those of app-config, at startup: read and checked first, so that a wrong entry
 * stops the backend before anything is stored.
 */
export async function syncDeclaredBudgets(options: {
  config: Config;
  store: BudgetStore;
  logger: LoggerService;
  now?: Date;
}): Promise<Budget[]> {
  const { config, store, logger, now = new Date() } = options;
  const budgets = readDeclaredBudgets(config, now);
  await store.replaceDeclared(budgets);
  logger.info(`Declared budgets from ${KEY}: ${budgets.length}`);
  return budgets;
}
