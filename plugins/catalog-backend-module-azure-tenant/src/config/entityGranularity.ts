/**
 * How much of Azure becomes catalog entities: every resource (`resources`), resource groups with their resources
 * summarised (`resource-groups`), or subscriptions only (`subscriptions`). Whatever the level, the backend plugin
 * still syncs, tags and costs every resource.
 *
 * @public
 */
export type AzureEntityLevel =
  | 'resources'
  | 'resource-groups'
  | 'subscriptions';

/** The levels, in the order of how much they put in the catalog. */
export const AZURE_ENTITY_LEVELS: readonly AzureEntityLevel[] = [
  'resources',
  'resource-groups',
  'subscriptions',
];

/**
 * The named lists of ARM types that `resourceTypes.presets` leaves out of the catalog under the level `resources`.
 *
 * - `child-resources`: what exists only as part of a virtual machine (its disks, network interfaces and extensions).
 * - `networking-plumbing`: network pieces that a team rarely owns on their own (public IPs, network security
 *   groups, route tables, private endpoints, and the network watcher Azure creates per region).
 * - `alerting`: alert rules and action groups, which Azure and Application Insights create alongside resources.
 *
 * @public
 */
export const AZURE_RESOURCE_TYPE_PRESETS = {
  'child-resources': [
    'Microsoft.Compute/disks',
    'Microsoft.Network/networkInterfaces',
    'Microsoft.Compute/virtualMachines/extensions',
  ],
  'networking-plumbing': [
    'Microsoft.Network/publicIPAddresses',
    'Microsoft.Network/networkSecurityGroups',
    'Microsoft.Network/routeTables',
    'Microsoft.Network/privateEndpoints',
    'Microsoft.Network/networkWatchers',
  ],
  alerting: [
    'Microsoft.Insights/actionGroups',
    'Microsoft.Insights/metricAlerts',
    'Microsoft.Insights/activityLogAlerts',
    'Microsoft.Insights/scheduledQueryRules',
    'Microsoft.AlertsManagement/smartDetectorAlertRules',
  ],
} as const satisfies Record<string, readonly string[]>;

/**
 * The name of a preset of {@link AZURE_RESOURCE_TYPE_PRESETS}.
 *
 * @public
 */
export type AzureResourceTypePreset = keyof typeof AZURE_RESOURCE_TYPE_PRESETS;

/**
 * Which ARM types become resource entities under the level `resources`: a type does when `include` is empty or
 * lists it, and neither a preset nor `exclude` lists it. Types compare without regard to case, as in Azure.
 *
 * @public
 */
export interface AzureEntityResourceTypes {
  presets: AzureResourceTypePreset[];
  include: string[];
  exclude: string[];
}

/**
 * What becomes an entity in one scope.
 *
 * @public
 */
export interface AzureEntityGranularity {
  level: AzureEntityLevel;
  resourceTypes: AzureEntityResourceTypes;
}

/**
 * A granularity for one tenant or one subscription (exactly one of them is set). What it leaves unset comes from
 * the tenant's override (for a subscription), else from the default.
 *
 * @public
 */
export interface AzureEntityGranularityOverride {
  tenantId?: string;
  subscriptionId?: string;
  level?: AzureEntityLevel;
  resourceTypes?: AzureEntityResourceTypes;
}

/**
 * `catalog.providers.azureTenant.entities`: the default granularity and its overrides.
 *
 * @public
 */
export interface AzureTenantEntitiesConfig extends AzureEntityGranularity {
  overrides: AzureEntityGranularityOverride[];
}

/**
 * Every resource of every type becomes an entity, as before the setting existed.
 *
 * @public
 */
export const DEFAULT_AZURE_TENANT_ENTITIES: AzureTenantEntitiesConfig = {
  level: 'resources',
  resourceTypes: { presets: [], include: [], exclude: [] },
  overrides: [],
};

/** A granularity ready to answer for one subscription: its level, and whether a type becomes an entity. */
export interface ResolvedGranularity {
  level: AzureEntityLevel;
  /** Whether a resource of this ARM type becomes an entity (always false below the level `resources`). */
  includesType(armType: string): boolean;
}

function compile(granularity: AzureEntityGranularity): ResolvedGranularity {
  const { level, resourceTypes } = granularity;
  const include = new Set(resourceTypes.include.map(t => t.toLowerCase()));
  const exclude = new Set(
    [
      ...resourceTypes.exclude,
      ...resourceTypes.presets.flatMap(p => AZURE_RESOURCE_TYPE_PRESETS[p]),
    ].map(t => t.toLowerCase()),
  );
  return {
    level,
    includesType(armType) {
      if (level !== 'resources') return false;
      const type = armType.toLowerCase();
      return (include.size === 0 || include.has(type)) && !exclude.has(type);
    },
  };
}

/**
 * Resolves the granularity of each subscription from the config: the subscription's override beats its tenant's,
 * which beats the default, field by field (`level` and `resourceTypes` each as a whole). Resolutions are kept, so
 * asking for every resource of a full listing stays cheap.
 */
export class EntityGranularityResolver {
  private readonly byKey = new Map<string, ResolvedGranularity>();
  private readonly tenants = new Map<string, AzureEntityGranularityOverride>();
  private readonly subscriptions = new Map<
    string,
    AzureEntityGranularityOverride
  >();

  constructor(private readonly config: AzureTenantEntitiesConfig) {
    for (const override of config.overrides) {
      if (override.subscriptionId) {
        this.subscriptions.set(override.subscriptionId.toLowerCase(), override);
      } else if (override.tenantId) {
        this.tenants.set(override.tenantId.toLowerCase(), override);
      }
    }
  }

  resolve(subscriptionId: string, tenantId: string): ResolvedGranularity {
    const key = `${subscriptionId.toLowerCase()}/${tenantId.toLowerCase()}`;
    let resolved = this.byKey.get(key);
    if (!resolved) {
      const subscription = this.subscriptions.get(subscriptionId.toLowerCase());
      const tenant = this.tenants.get(tenantId.toLowerCase());
      resolved = compile({
        level: subscription?.level ?? tenant?.level ?? this.config.level,
        resourceTypes:
          subscription?.resourceTypes ??
          tenant?.resourceTypes ??
          this.config.resourceTypes,
      });
      this.byKey.set(key, resolved);
    }
    return resolved;
  }
}
