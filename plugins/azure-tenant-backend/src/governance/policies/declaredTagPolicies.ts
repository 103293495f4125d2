import { LoggerService } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import {
  AzureTenantConfigError,
  TagPolicyInput,
} from '@azure-tenant/plugin-azure-tenant-common';
import { z as zod } from 'zod/v3';
import { describeZodIssues } from '../../budgets/budgetInput';
import { TagPolicyStore } from '../TagPolicyStore';
import { parseTagPolicyInput } from './tagPolicyInput';

/** Where tag policies are declared in app-config. */
export const DECLARED_TAG_POLICIES_KEY = 'azureTenant.tagGovernance.policies';

/** The id of a declared policy: stable and readable; stored as `config:<id>`. */
const declaredIdSchema = zod
  .string({ required_error: 'is required' })
  .regex(
    /^[a-z0-9]+(-[a-z0-9]+)*$/,
    'must be lowercase letters, digits and dashes, not starting or ending with a dash',
  )
  .max(64, 'must be at most 64 characters');

/**
 * Reads and checks `azureTenant.tagGovernance.policies` with the rules of `POST /tag-policies`, plus each entry's
 * required `id`. Throws an {@link AzureTenantConfigError} naming the entry (its index and id) and the field.
 */
export function readDeclaredTagPolicies(
  config: Config,
): Array<TagPolicyInput & { id: string }> {
  const entries =
    config.getOptionalConfigArray(DECLARED_TAG_POLICIES_KEY) ?? [];
  const seen = new Set<string>();
  return entries.map((entry, index) => {
    const raw = entry.get<Record<string, unknown>>();
    const name =
      typeof raw.id === 'string'
        ? `${DECLARED_TAG_POLICIES_KEY}[${index}] (${raw.id})`
        : `${DECLARED_TAG_POLICIES_KEY}[${index}]`;
    const id = declaredIdSchema.safeParse(raw.id);
    if (!id.success) {
      throw new AzureTenantConfigError(
        name,
        `is not a valid tag policy: ${describeZodIssues(id.error, 'id')}`,
      );
    }
    if (seen.has(id.data)) {
      throw new AzureTenantConfigError(
        name,
        'has the id of an earlier entry: each declared tag policy needs its own id',
      );
    }
    seen.add(id.data);
    const { id: _id, ...fields } = raw;
    try {
      return { ...parseTagPolicyInput(fields), id: id.data };
    } catch (error) {
      throw new AzureTenantConfigError(
        name,
        `is not a valid tag policy: ${(error as Error).message.replace(
          /^Invalid tag policy: /,
          '',
        )}`,
      );
    }
  });
}

/**
 * Makes the stored declared policies those of app-config, at startup: read and checked first, so that a wrong entry
 * stops the backend before anything is stored.
 */
export async function syncDeclaredTagPolicies(options: {
  config: Config;
  store: TagPolicyStore;
  logger: LoggerService;
}): Promise<Array<TagPolicyInput & { id: string }>> {
  const { config, store, logger } = options;
  const policies = readDeclaredTagPolicies(config);
  await store.replaceDeclaredPolicies(policies);
  logger.info(
    `Declared tag policies from ${DECLARED_TAG_POLICIES_KEY}: ${policies.length}`,
  );
  return policies;
}
