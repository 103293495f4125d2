import {
  createRestError,
  getClient,
  PathUncheckedResponse,
} from '@azure-rest/core-client';
import { AzureTagPolicyAssignment } from '@azure-tenant/plugin-azure-tenant-common';
import { ARM_APP_SCOPE, AzureConnection } from '../../azure/azureConnection';
import { AzureTenantMetrics } from '../../metrics/azureTenantMetrics';

/**
 * The API version of Azure Policy the reader uses, for assignments and built-in definitions alike: the first that
 * serves both with the definitions' `version` (Learn, "Policy Assignments - List" and "Policy Definitions - Get
 * Built In", Microsoft.Authorization 2023-04-01).
 */
export const AZURE_POLICY_API_VERSION = '2023-04-01';

/** An Azure Policy assignment about a tag, as the reader finds it (the time it was read is the store's). */
export type AzureTagPolicyRead = Omit<AzureTagPolicyAssignment, 'readAt'>;

/** Reads the Azure Policy assignments about tags that apply to a subscription. */
export interface AzureTagPolicyReader {
  readAssignments(options: {
    tenantId: string;
    subscriptionId: string;
  }): Promise<AzureTagPolicyRead[]>;
}

/** Options for {@link createAzureTagPolicyReader}. */
export interface AzureTagPolicyReaderOptions {
  connection: AzureConnection;
  /** Below this many remaining ARM reads of a subscription, reads slow down (`azureTenant.sync.minRemainingReads`). */
  minRemainingReads?: number;
  /** Counts ARM's 429s and the waits before reads. */
  metrics?: AzureTenantMetrics;
  /**
   * How long a built-in definition read is kept, in milliseconds. Built-ins change rarely and every subscription
   * names the same few. Defaults to a day.
   */
  definitionTtlMs?: number;
  /** The clock; tests move it. Defaults to the system clock. */
  now?: () => number;
}

/** A policy definition as Microsoft.Authorization answers it, with only the fields read here. */
export interface PolicyDefinitionBody {
  properties?: {
    displayName?: string;
    metadata?: { category?: unknown };
    parameters?: Record<string, { defaultValue?: unknown }>;
    policyRule?: {
      if?: unknown;
      then?: {
        effect?: unknown;
        details?: { operations?: Array<{ field?: unknown; value?: unknown }> };
      };
    };
  };
}

/** A policy assignment as Microsoft.Authorization answers it, with only the fields read here. */
interface PolicyAssignmentBody {
  id?: string;
  properties?: {
    displayName?: string;
    policyDefinitionId?: string;
    parameters?: Record<string, { value?: unknown }>;
    scope?: string;
    enforcementMode?: string;
  };
}

/** The id of a built-in definition: tenant-level, `/providers/Microsoft.Authorization/policyDefinitions/{name}`. */
const BUILT_IN_DEFINITION =
  /^\/providers\/Microsoft\.Authorization\/policyDefinitions\/[^/]+$/i;

/** A parameter's value by name, compared case-insensitively as Azure Policy does. */
function parameterOf(
  parameters: Record<string, { value?: unknown }> | undefined,
  name: string,
): unknown {
  const found = Object.entries(parameters ?? {}).find(
    ([key]) => key.toLowerCase() === name.toLowerCase(),
  );
  return found?.[1]?.value;
}

/**
 * Whether a definition is about tags: Azure files its tag built-ins under the category `Tags` (Azure/azure-policy
 * `built-in-policies/policyDefinitions/Tags/`), and any other rule that reads a tag field counts too.
 */
export function isTagDefinition(definition: PolicyDefinitionBody): boolean {
  const category = definition.properties?.metadata?.category;
  if (typeof category === 'string' && category.toLowerCase() === 'tags') {
    return true;
  }
  return /tags\[|tags\./i.test(
    JSON.stringify(definition.properties?.policyRule ?? {}),
  );
}

/**
 * What a tag definition does with its tag, from its rule's effect (Learn, "Azure Policy definitions effect
 * basics"): `deny` or `audit` a resource without it: `require`; `modify` with a value from the resource group's or
 * the subscription's tags: `inherit-from-…`; any other `modify`, or `append`: `add`. An effect given as a parameter
 * (`[parameters('effect')]`) is the assignment's value, or the definition's default.
 */
export function tagPolicyEffectOf(
  definition: PolicyDefinitionBody,
  assignmentParameters?: Record<string, { value?: unknown }>,
): AzureTagPolicyAssignment['effect'] {
  const then = definition.properties?.policyRule?.then;
  let effect = typeof then?.effect === 'string' ? then.effect : '';
  const parameter = /^\[parameters\('([^']+)'\)\]$/i.exec(effect.trim());
  if (parameter) {
    const value =
      parameterOf(assignmentParameters, parameter[1]) ??
      Object.entries(definition.properties?.parameters ?? {}).find(
        ([key]) => key.toLowerCase() === parameter[1].toLowerCase(),
      )?.[1]?.defaultValue;
    effect = typeof value === 'string' ? value : '';
  }
  switch (effect.toLowerCase()) {
    case 'deny':
    case 'audit':
      return 'require';
    case 'append':
      return 'add';
    case 'modify': {
      const values = (then?.details?.operations ?? [])
        .map(operation => String(operation?.value ?? ''))
        .join(' ');
      if (/resourceGroup\(\)\.tags/i.test(values)) {
        return 'inherit-from-resource-group';
      }
      if (/subscription\(\)\.tags/i.test(values)) {
        return 'inherit-from-subscription';
      }
      return 'add';
    }
    default:
      return 'other';
  }
}

/** The assignment of a tag definition, in the portal's shape. */
export function azureTagPolicyOf(
  assignment: PolicyAssignmentBody,
  definition: PolicyDefinitionBody,
  subscriptionId: string,
): AzureTagPolicyRead | undefined {
  const { id, properties = {} } = assignment;
  if (!id) return undefined;
  const tagName = parameterOf(properties.parameters, 'tagName');
  const tagValue = parameterOf(properties.parameters, 'tagValue');
  return {
    id,
    subscriptionId: subscriptionId.toLowerCase(),
    scope:
      properties.scope ??
      id.replace(
        /\/providers\/Microsoft\.Authorization\/policyAssignments\/[^/]+$/i,
        '',
      ),
    displayName: properties.displayName || id.split('/').pop() || id,
    definitionName:
      definition.properties?.displayName ??
      String(properties.policyDefinitionId ?? ''),
    effect: tagPolicyEffectOf(definition, properties.parameters),
    ...(typeof tagName === 'string' ? { tagName } : {}),
    ...(typeof tagValue === 'string' ? { tagValue } : {}),
    enforcementMode:
      properties.enforcementMode === 'DoNotEnforce'
        ? 'DoNotEnforce'
        : 'Default',
  };
}

function expectOk(response: PathUncheckedResponse): any {
  if (response.status !== '200') throw createRestError(response);
  return response.body;
}

/**
 * Reads, with the portal's app credential in the subscription's tenant, the Azure Policy assignments that apply to a
 * subscription (`GET /subscriptions/{s}/providers/Microsoft.Authorization/policyAssignments`, unfiltered: those of
 * its management groups, the subscription and its resource groups, following `nextLink`), and the built-in
 * definition each names (`GET /providers/Microsoft.Authorization/policyDefinitions/{name}`). Only assignments of a
 * built-in tag definition are kept: custom definitions and initiatives are not read. Reading needs
 * `Microsoft.Authorization/policyAssignments/read`, which Reader holds: Azure answers 403 without it.
 *
 * It goes through the ARM pipeline of every other reader (credential, retries, throttling policies, TLS settings).
 */
export function createAzureTagPolicyReader(
  options: AzureTagPolicyReaderOptions,
): AzureTagPolicyReader {
  const { connection, minRemainingReads, metrics } = options;
  const definitionTtlMs = options.definitionTtlMs ?? 24 * 60 * 60 * 1000;
  const now = options.now ?? Date.now;
  const definitions = new Map<
    string,
    { at: number; definition: Promise<PolicyDefinitionBody | undefined> }
  >();

  function clientFor(tenantId: string) {
    const { endpoint, ...pipeline } = connection.armClientOptions({
      tenantId,
      metrics,
      minRemainingReads,
    });
    return getClient(endpoint, connection.appCredential(tenantId), {
      ...pipeline,
      credentials: { scopes: [ARM_APP_SCOPE] },
    });
  }

  /** A built-in definition, read once a day at most; undefined when Azure has no such definition (404). */
  function definitionOf(
    client: ReturnType<typeof getClient>,
    definitionId: string,
  ): Promise<PolicyDefinitionBody | undefined> {
    const key = definitionId.toLowerCase();
    const cached = definitions.get(key);
    if (cached && now() - cached.at < definitionTtlMs) return cached.definition;
    const definition = (async () => {
      const response = await client.pathUnchecked(definitionId).get({
        queryParameters: { 'api-version': AZURE_POLICY_API_VERSION },
        headers: { accept: 'application/json' },
      });
      return response.status === '404'
        ? undefined
        : (expectOk(response) as PolicyDefinitionBody);
    })();
    definitions.set(key, { at: now(), definition });
    // A failed read is not kept: the next sync asks again.
    definition.catch(() => {
      if (definitions.get(key)?.definition === definition) {
        definitions.delete(key);
      }
    });
    return definition;
  }

  return {
    async readAssignments({ tenantId, subscriptionId }) {
      const client = clientFor(tenantId);
      const assignments: PolicyAssignmentBody[] = [];
      let response = await client
        .pathUnchecked(
          '/subscriptions/{subscriptionId}/providers/Microsoft.Authorization/policyAssignments',
          subscriptionId,
        )
        .get({
          queryParameters: { 'api-version': AZURE_POLICY_API_VERSION },
          headers: { accept: 'application/json' },
        });
      const seen = new Set<string>();
      for (;;) {
        const body = expectOk(response);
        if (!body || !Array.isArray(body.value)) {
          throw createRestError(
            'Azure Policy answered an assignment list without a value array',
            response,
          );
        }
        assignments.push(...body.value);
        const nextLink = body.nextLink;
        if (typeof nextLink !== 'string' || nextLink === '') break;
        if (seen.has(nextLink)) {
          throw createRestError(
            'Azure Policy returned the same nextLink twice',
            response,
          );
        }
        seen.add(nextLink);
        response = await client
          .pathUnchecked(nextLink)
          .get({ headers: { accept: 'application/json' } });
      }

      const read = new Map<string, AzureTagPolicyRead>();
      for (const assignment of assignments) {
        const definitionId = assignment.properties?.policyDefinitionId;
        if (!definitionId || !BUILT_IN_DEFINITION.test(definitionId)) continue;
        const definition = await definitionOf(client, definitionId);
        if (!definition || !isTagDefinition(definition)) continue;
        const tagPolicy = azureTagPolicyOf(
          assignment,
          definition,
          subscriptionId,
        );
        if (tagPolicy) read.set(tagPolicy.id.toLowerCase(), tagPolicy);
      }
      return [...read.values()];
    },
  };
}
