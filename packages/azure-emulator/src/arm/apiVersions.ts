import { ArmError } from '../errors/ArmError';
import { EmulatorRequest } from '../http/EmulatorHttp';
import { EmulatorState } from '../model/EmulatorState';

/**
 * The api-versions ARM accepts, per resource provider namespace and resource type, as ARM checks them before a
 * request reaches a handler. Each list holds the stable (and a few preview) versions published in
 * Azure/azure-rest-api-specs for that type, and every version the product, the demo and the tests send (the SDK
 * defaults: `@azure/arm-resources` 2025-04-01, `@azure/arm-resources-subscriptions` 2022-12-01,
 * `@azure/arm-authorization` 2022-04-01 (role assignments and definitions), `@azure/arm-costmanagement` 2022-10-01,
 * `@azure/arm-resourcegraph` 2024-04-01 (2021-06-01-preview, 2020-09-01-preview for its other operations),
 * `@azure/arm-managementpartner` 2018-02-01).
 *
 * Newest first, as ARM lists them in its error messages.
 */

/**
 * ARM's own routes (Microsoft.Resources: subscriptions, tenants, resource groups, resources, tags, operation
 * results). The list is the one ARM returns in `InvalidApiVersionParameter` (for example in
 * https://github.com/Azure/azure-cli/issues/28038 and https://github.com/ansible-collections/azure/issues/1739),
 * with the versions published since (2024-07-01, 2024-11-01, 2025-01-01, 2025-03-01, 2025-04-01 in
 * specification/resources/resource-manager/Microsoft.Resources).
 */
const RESOURCE_MANAGER_VERSIONS = [
  '2025-04-01',
  '2025-03-01',
  '2025-01-01',
  '2024-11-01',
  '2024-08-01',
  '2024-07-01',
  '2024-06-01-preview',
  '2024-03-01',
  '2023-07-01',
  '2023-07-01-preview',
  '2023-03-01-preview',
  '2022-12-01',
  '2022-11-01-preview',
  '2022-09-01',
  '2022-06-01',
  '2022-05-01',
  '2022-03-01-preview',
  '2022-01-01',
  '2021-04-01',
  '2021-01-01',
  '2020-10-01',
  '2020-09-01',
  '2020-08-01',
  '2020-07-01',
  '2020-06-01',
  '2020-05-01',
  '2020-01-01',
  '2019-11-01',
  '2019-10-01',
  '2019-09-01',
  '2019-08-01',
  '2019-07-01',
  '2019-06-01',
  '2019-05-10',
  '2019-05-01',
  '2019-03-01',
  '2018-11-01',
  '2018-09-01',
  '2018-08-01',
  '2018-07-01',
  '2018-06-01',
  '2018-05-01',
  '2018-02-01',
  '2018-01-01',
  '2017-12-01',
  '2017-08-01',
  '2017-06-01',
  '2017-05-10',
  '2017-05-01',
  '2017-03-01',
  '2016-09-01',
  '2016-07-01',
  '2016-06-01',
  '2016-02-01',
  '2015-11-01',
  '2015-01-01',
  '2014-04-01-preview',
  '2014-04-01',
  '2014-01-01',
  '2013-03-01',
  '2014-02-26',
  '2014-04',
] as const;

const NETWORK_VERSIONS = [
  '2024-10-01',
  '2024-07-01',
  '2024-05-01',
  '2024-03-01',
  '2024-01-01',
  '2023-11-01',
  '2023-09-01',
  '2023-06-01',
  '2023-05-01',
  '2023-04-01',
  '2023-02-01',
  '2022-11-01',
  '2022-09-01',
  '2022-07-01',
  '2022-05-01',
  '2022-01-01',
  '2021-08-01',
  '2021-05-01',
  '2021-03-01',
  '2021-02-01',
  '2020-11-01',
  '2020-08-01',
  '2020-07-01',
  '2020-06-01',
  '2020-05-01',
  '2020-04-01',
  '2020-03-01',
  '2019-12-01',
  '2019-11-01',
  '2019-09-01',
  '2019-08-01',
  '2019-07-01',
  '2019-06-01',
  '2019-04-01',
  '2019-02-01',
  '2018-12-01',
  '2018-11-01',
  '2018-10-01',
  '2018-08-01',
  '2018-07-01',
  '2018-06-01',
  '2018-04-01',
  '2018-02-01',
  '2018-01-01',
  '2017-11-01',
  '2017-10-01',
  '2017-09-01',
  '2017-08-01',
  '2017-06-01',
  '2017-03-01',
  '2016-12-01',
  '2016-09-01',
  '2016-06-01',
  '2016-03-30',
  '2015-06-15',
];

const COST_MANAGEMENT_VERSIONS = [
  '2025-03-01',
  '2024-08-01',
  '2023-11-01',
  '2023-09-01',
  '2023-08-01',
  '2023-07-01-preview',
  '2023-04-01-preview',
  '2023-03-01',
  '2022-10-01',
  '2021-10-01',
  '2020-12-01-preview',
  '2020-06-01',
  '2019-11-01',
  '2019-10-01',
  '2019-04-01-preview',
  '2019-03-01-preview',
  '2019-01-01',
  '2018-08-01-preview',
];

/** Azure Policy's versions (Microsoft.Authorization policyAssignments and policyDefinitions), newest first. */
const POLICY_VERSIONS = [
  '2025-03-01',
  '2025-01-01',
  '2024-05-01',
  '2024-04-01',
  '2023-04-01',
  '2022-06-01',
  '2021-06-01',
  '2020-09-01',
  '2020-03-01',
  '2019-09-01',
  '2019-06-01',
  '2019-01-01',
  '2018-05-01',
  '2018-03-01',
  '2017-06-01-preview',
  '2016-12-01',
  '2016-04-01',
  '2015-11-01',
  '2015-10-01-preview',
];

/** How ARM refuses a version the type does not support; see {@link checkApiVersion}. */
type VersionRule =
  /** ARM's own routes: 400 `InvalidApiVersionParameter`. */
  | 'resourceManager'
  /** Types without a location (extension and proxy resources, provider actions): 404 `InvalidResourceType`. */
  | 'proxy'
  /** Tracked resources, which have a location: 400 `NoRegisteredProviderFound`. */
  | 'tracked';

interface NamespaceVersions {
  /** The namespace as Azure spells it. */
  name: string;
  rule: VersionRule;
  /** Resource type (lower case, nested types joined by `/`) → its name as Azure spells it and its versions. */
  types: Record<string, { name: string; versions: readonly string[] }>;
}

function namespace(
  name: string,
  rule: VersionRule,
  types: Record<string, readonly string[]>,
): [string, NamespaceVersions] {
  return [
    name.toLowerCase(),
    {
      name,
      rule,
      types: Object.fromEntries(
        Object.entries(types).map(([type, versions]) => [
          type.toLowerCase(),
          { name: type, versions },
        ]),
      ),
    },
  ];
}

/** The api-versions of every resource type the emulator serves. */
const API_VERSIONS = new Map<string, NamespaceVersions>([
  namespace('Microsoft.Resources', 'resourceManager', {
    subscriptions: RESOURCE_MANAGER_VERSIONS,
    tenants: RESOURCE_MANAGER_VERSIONS,
    resourceGroups: RESOURCE_MANAGER_VERSIONS,
    resources: RESOURCE_MANAGER_VERSIONS,
    tags: RESOURCE_MANAGER_VERSIONS,
    operationResults: RESOURCE_MANAGER_VERSIONS,
    operationStatuses: RESOURCE_MANAGER_VERSIONS,
  }),
  // specification/authorization/resource-manager/Microsoft.Authorization; the older ones are in ARM's own list in
  // https://github.com/Azure/acs-engine/issues/4037.
  namespace('Microsoft.Authorization', 'proxy', {
    // Azure Policy: the policy folders of specification/resources/resource-manager/Microsoft.Authorization;
    // 2022-06-01 and 2024-04-01 revised policyAssignments only, so policyDefinitions do not list them.
    policyAssignments: POLICY_VERSIONS,
    policyDefinitions: POLICY_VERSIONS.filter(
      v => v !== '2022-06-01' && v !== '2024-04-01',
    ),
    roleAssignments: [
      '2022-04-01',
      '2022-01-01-preview',
      '2021-04-01-preview',
      '2020-10-01-preview',
      '2020-08-01-preview',
      '2020-04-01-preview',
      '2020-03-01-preview',
      '2019-04-01-preview',
      '2018-12-01-preview',
      '2018-09-01-preview',
      '2018-07-01',
      '2018-01-01-preview',
      '2017-10-01-preview',
      '2017-09-01',
      '2017-05-01',
      '2016-07-01',
      '2015-07-01',
      '2015-06-01',
      '2015-05-01-preview',
      '2014-10-01-preview',
      '2014-07-01-preview',
      '2014-04-01-preview',
    ],
    roleDefinitions: [
      '2022-05-01-preview',
      '2022-04-01',
      '2018-01-01-preview',
      '2017-05-01',
      '2016-07-01',
      '2015-07-01',
      '2015-06-01',
      '2015-05-01-preview',
      '2014-10-01-preview',
      '2014-07-01-preview',
      '2014-04-01-preview',
    ],
  }),
  // specification/managementpartner/resource-manager/Microsoft.ManagementPartner/preview/2018-02-01
  namespace('Microsoft.ManagementPartner', 'proxy', {
    partners: ['2018-02-01'],
  }),
  // specification/resourcegraph/resource-manager/Microsoft.ResourceGraph
  namespace('Microsoft.ResourceGraph', 'proxy', {
    resources: [
      '2024-04-01',
      '2022-10-01',
      '2021-06-01-preview',
      '2021-03-01',
      '2020-09-01-preview',
      '2020-04-01-preview',
      '2019-04-01',
      '2018-09-01-preview',
    ],
  }),
  // specification/consumption/resource-manager/Microsoft.Consumption (stable and preview folders with budgets)
  namespace('Microsoft.Consumption', 'proxy', {
    budgets: [
      '2024-08-01',
      '2023-11-01',
      '2023-05-01',
      '2023-03-01',
      '2021-10-01',
      '2021-05-01',
      '2019-11-01',
      '2019-10-01',
      '2019-06-01',
      '2019-05-01',
      '2019-04-01-preview',
      '2019-01-01',
      '2018-10-01',
      '2018-08-31',
      '2018-06-30',
      '2018-05-31',
      '2018-03-31',
      '2018-01-31',
      '2017-12-30-preview',
    ],
  }),
  // specification/cost-management/resource-manager/Microsoft.CostManagement
  namespace('Microsoft.CostManagement', 'proxy', {
    query: COST_MANAGEMENT_VERSIONS,
    forecast: COST_MANAGEMENT_VERSIONS.filter(v => v >= '2019-04-01'),
  }),
  // The fixture's resource types (model/resourceTypeCatalog.ts), with the versions published for each in
  // specification/<service>/resource-manager.
  namespace('Microsoft.Compute', 'tracked', {
    virtualMachines: [
      '2025-04-01',
      '2024-11-01',
      '2024-07-01',
      '2024-03-01',
      '2023-09-01',
      '2023-07-01',
      '2023-03-01',
      '2022-11-01',
      '2022-08-01',
      '2022-03-01',
      '2021-11-01',
      '2021-07-01',
      '2021-04-01',
      '2021-03-01',
      '2020-12-01',
      '2020-06-01',
      '2019-12-01',
      '2019-07-01',
      '2019-03-01',
      '2018-10-01',
      '2018-06-01',
      '2018-04-01',
      '2017-12-01',
      '2017-03-30',
      '2016-04-30-preview',
      '2016-03-30',
      '2015-06-15',
    ],
    disks: [
      '2025-01-02',
      '2024-03-02',
      '2023-10-02',
      '2023-04-02',
      '2023-01-02',
      '2022-07-02',
      '2022-03-02',
      '2021-12-01',
      '2021-08-01',
      '2021-04-01',
      '2020-12-01',
      '2020-09-30',
      '2020-06-30',
      '2020-05-01',
      '2019-11-01',
      '2019-07-01',
      '2019-03-01',
      '2018-09-30',
      '2018-06-01',
      '2018-04-01',
      '2017-03-30',
      '2016-04-30-preview',
    ],
  }),
  namespace('Microsoft.Network', 'tracked', {
    networkInterfaces: NETWORK_VERSIONS,
    publicIPAddresses: NETWORK_VERSIONS,
    virtualNetworks: NETWORK_VERSIONS,
    networkSecurityGroups: NETWORK_VERSIONS,
    loadBalancers: NETWORK_VERSIONS,
  }),
  namespace('Microsoft.Storage', 'tracked', {
    storageAccounts: [
      '2025-06-01',
      '2025-01-01',
      '2024-01-01',
      '2023-05-01',
      '2023-04-01',
      '2023-01-01',
      '2022-09-01',
      '2022-05-01',
      '2021-09-01',
      '2021-08-01',
      '2021-06-01',
      '2021-04-01',
      '2021-02-01',
      '2021-01-01',
      '2020-08-01-preview',
      '2019-06-01',
      '2019-04-01',
      '2018-11-01',
      '2018-07-01',
      '2018-02-01',
      '2017-10-01',
      '2017-06-01',
      '2016-12-01',
      '2016-05-01',
      '2016-01-01',
      '2015-06-15',
    ],
  }),
  namespace('Microsoft.Web', 'tracked', {
    sites: webVersions(),
    serverFarms: webVersions(),
  }),
  namespace('Microsoft.Sql', 'tracked', {
    servers: [
      '2024-05-01-preview',
      '2023-08-01',
      '2023-05-01-preview',
      '2022-08-01-preview',
      '2022-05-01-preview',
      '2021-11-01',
      '2021-08-01-preview',
      '2021-05-01-preview',
      '2021-02-01-preview',
      '2020-11-01-preview',
      '2020-08-01-preview',
      '2020-02-02-preview',
      '2019-06-01-preview',
      '2015-05-01-preview',
      '2014-04-01',
    ],
  }),
  namespace('Microsoft.DBforPostgreSQL', 'tracked', {
    flexibleServers: [
      '2025-08-01',
      '2025-01-01-preview',
      '2024-11-01-preview',
      '2024-08-01',
      '2024-03-01-preview',
      '2023-12-01-preview',
      '2023-06-01-preview',
      '2023-03-01-preview',
      '2022-12-01',
      '2022-03-08-preview',
      '2022-01-20-preview',
      '2021-06-01',
      '2020-02-14-preview',
    ],
  }),
  namespace('Microsoft.KeyVault', 'tracked', {
    vaults: [
      '2025-05-01',
      '2024-12-01-preview',
      '2024-11-01',
      '2023-07-01',
      '2023-02-01',
      '2022-11-01',
      '2022-07-01',
      '2021-10-01',
      '2019-09-01',
      '2018-02-14',
      '2016-10-01',
      '2015-06-01',
    ],
  }),
  namespace('Microsoft.ContainerService', 'tracked', {
    managedClusters: [
      '2025-05-01',
      '2025-04-01',
      '2025-03-01',
      '2025-02-01',
      '2025-01-01',
      '2024-10-01',
      '2024-09-01',
      '2024-08-01',
      '2024-07-01',
      '2024-05-01',
      '2024-02-01',
      '2024-01-01',
      '2023-11-01',
      '2023-10-01',
      '2023-09-01',
      '2023-08-01',
      '2023-07-01',
      '2023-06-01',
      '2023-05-01',
      '2023-04-01',
      '2023-03-01',
      '2023-02-01',
      '2023-01-01',
      '2022-11-01',
      '2022-09-01',
      '2022-08-01',
      '2022-07-01',
      '2022-06-01',
      '2022-04-01',
      '2022-03-01',
      '2022-02-01',
      '2022-01-01',
      '2021-10-01',
      '2021-09-01',
      '2021-08-01',
      '2021-07-01',
      '2021-05-01',
      '2021-03-01',
      '2021-02-01',
      '2020-12-01',
      '2020-11-01',
      '2020-09-01',
      '2020-07-01',
      '2020-06-01',
      '2020-04-01',
      '2020-03-01',
      '2020-02-01',
      '2020-01-01',
      '2019-11-01',
      '2019-10-01',
      '2019-08-01',
      '2019-06-01',
      '2019-04-01',
      '2019-02-01',
      '2018-03-31',
      '2017-08-31',
    ],
  }),
  namespace('Microsoft.ContainerRegistry', 'tracked', {
    registries: [
      '2025-04-01',
      '2024-11-01-preview',
      '2023-11-01-preview',
      '2023-08-01-preview',
      '2023-07-01',
      '2023-06-01-preview',
      '2023-01-01-preview',
      '2022-12-01',
      '2022-02-01-preview',
      '2021-12-01-preview',
      '2021-09-01',
      '2021-08-01-preview',
      '2021-06-01-preview',
      '2020-11-01-preview',
      '2019-12-01-preview',
      '2019-05-01',
      '2017-10-01',
    ],
  }),
  namespace('Microsoft.Insights', 'tracked', {
    components: [
      '2020-02-02-preview',
      '2020-02-02',
      '2018-05-01-preview',
      '2015-05-01',
      '2014-04-01',
    ],
  }),
  namespace('Microsoft.OperationalInsights', 'tracked', {
    workspaces: [
      '2025-02-01',
      '2023-09-01',
      '2022-10-01',
      '2021-12-01-preview',
      '2021-06-01',
      '2020-10-01',
      '2020-08-01',
      '2020-03-01-preview',
      '2015-11-01-preview',
    ],
  }),
  namespace('Microsoft.DocumentDB', 'tracked', {
    databaseAccounts: [
      '2025-04-15',
      '2024-11-15',
      '2024-08-15',
      '2024-05-15',
      '2023-11-15',
      '2023-09-15',
      '2023-04-15',
      '2022-11-15',
      '2022-08-15',
      '2022-05-15',
      '2021-10-15',
      '2021-06-15',
      '2021-05-15',
      '2021-04-15',
      '2021-03-15',
      '2021-01-15',
      '2020-09-01',
      '2020-04-01',
      '2019-12-12',
      '2019-08-01',
      '2015-04-08',
    ],
  }),
  namespace('Microsoft.Cache', 'tracked', {
    Redis: [
      '2024-11-01',
      '2024-03-01',
      '2023-08-01',
      '2023-04-01',
      '2022-06-01',
      '2022-05-01',
      '2021-06-01',
      '2020-12-01',
      '2020-06-01',
      '2019-07-01',
      '2018-03-01',
      '2017-10-01',
      '2017-02-01',
      '2016-04-01',
      '2015-08-01',
    ],
  }),
  namespace('Microsoft.ServiceBus', 'tracked', {
    namespaces: [
      '2024-01-01',
      '2022-10-01-preview',
      '2022-01-01-preview',
      '2021-11-01',
      '2021-06-01-preview',
      '2017-04-01',
      '2015-08-01',
      '2014-09-01',
    ],
  }),
]);

function webVersions(): readonly string[] {
  return [
    '2024-11-01',
    '2024-04-01',
    '2023-12-01',
    '2023-01-01',
    '2022-09-01',
    '2022-03-01',
    '2021-03-01',
    '2021-02-01',
    '2021-01-15',
    '2021-01-01',
    '2020-12-01',
    '2020-10-01',
    '2020-09-01',
    '2020-06-01',
    '2019-08-01',
    '2018-11-01',
    '2018-02-01',
    '2016-09-01',
    '2016-08-01',
    '2015-08-01',
  ];
}

/**
 * Real namespaces that a fixture may hold resources of, whose types the emulator has no version table for: ARM
 * knows them, so they are not `InvalidResourceNamespace`, and any well-formed version passes.
 */
const OTHER_NAMESPACES = new Set(
  [
    'Microsoft.Advisor',
    'Microsoft.AlertsManagement',
    'Microsoft.ApiManagement',
    'Microsoft.App',
    'Microsoft.AppConfiguration',
    'Microsoft.Automation',
    'Microsoft.Batch',
    'Microsoft.Billing',
    'Microsoft.Blueprint',
    'Microsoft.Cdn',
    'Microsoft.CognitiveServices',
    'Microsoft.ContainerInstance',
    'Microsoft.DataFactory',
    'Microsoft.Databricks',
    'Microsoft.DBforMySQL',
    'Microsoft.DevTestLab',
    'Microsoft.EventGrid',
    'Microsoft.EventHub',
    'Microsoft.HDInsight',
    'Microsoft.Logic',
    'Microsoft.MachineLearningServices',
    'Microsoft.Management',
    'Microsoft.ManagedIdentity',
    'Microsoft.Monitor',
    'Microsoft.OperationsManagement',
    'Microsoft.PolicyInsights',
    'Microsoft.RecoveryServices',
    'Microsoft.Search',
    'Microsoft.Security',
    'Microsoft.SignalRService',
    'Microsoft.Support',
    'Microsoft.Synapse',
  ].map(name => name.toLowerCase()),
);

/** What ARM checks an api-version against: a namespace and a resource type in it. */
interface VersionTarget {
  namespace: string;
  /** Nested types joined by `/`, e.g. `virtualMachines/extensions`; empty for the namespace alone. */
  type: string;
}

/** Splits a request path into the namespace and resource type that ARM checks the api-version for. */
function versionTarget(path: string): VersionTarget {
  const lower = path.toLowerCase();
  const providersAt = lower.lastIndexOf('/providers/');
  if (providersAt < 0) {
    // ARM's own routes: /subscriptions, /tenants, /subscriptions/{s}/resourceGroups/{rg}, .../resources, ...
    const segments = path.split('/').filter(Boolean);
    let type = segments[0] ?? '';
    if (segments.length > 2) {
      type = segments[2];
      if (segments[4]?.toLowerCase() === 'resources') type = 'resources';
    }
    return { namespace: 'Microsoft.Resources', type };
  }
  const [ns = '', ...tail] = path
    .slice(providersAt + '/providers/'.length)
    .split('/');
  // {namespace}/{type}/{name}/{childType}/{childName}: the types are every other segment.
  const type = tail.filter((_, index) => index % 2 === 0).join('/');
  return { namespace: ns, type };
}

/**
 * Refuses an ARM request's `api-version` as ARM does:
 *
 * - missing: 400 `MissingApiVersionParameter`;
 * - a namespace ARM does not know: 400 `InvalidResourceNamespace` ("The resource namespace '...' is invalid.");
 * - a version the resource type does not support, naming the supported ones: on ARM's own routes
 *   (Microsoft.Resources) 400 `InvalidApiVersionParameter`; on a tracked resource type 400
 *   `NoRegisteredProviderFound` with the resource's location; on other types 404 `InvalidResourceType`.
 *
 * A type the tables do not hold (in a namespace ARM knows) is left to the router. Entra ID and the control API are
 * not ARM and never come here.
 *
 * @param location - the location of the resource the path names, when it has one (for `NoRegisteredProviderFound`)
 */
export function checkApiVersion(
  request: EmulatorRequest,
  location?: (path: string) => string | undefined,
): void {
  const version = request.url.searchParams.get('api-version');
  if (!version) {
    throw new ArmError(
      400,
      'MissingApiVersionParameter',
      'The api-version query parameter (?api-version=) is required for all requests.',
    );
  }
  const target = versionTarget(request.path);
  const namespaceVersions = API_VERSIONS.get(target.namespace.toLowerCase());
  if (!namespaceVersions) {
    if (OTHER_NAMESPACES.has(target.namespace.toLowerCase())) return;
    throw new ArmError(
      400,
      'InvalidResourceNamespace',
      `The resource namespace '${target.namespace}' is invalid.`,
    );
  }
  const typeVersions = namespaceVersions.types[target.type.toLowerCase()];
  if (!typeVersions || typeVersions.versions.includes(version)) return;
  const supported = typeVersions.versions;
  if (namespaceVersions.rule === 'resourceManager') {
    throw new ArmError(
      400,
      'InvalidApiVersionParameter',
      `The api-version '${version}' is invalid. The supported versions are '${supported.join(
        ',',
      )}'.`,
    );
  }
  const typeName = typeVersions.name.split('/').pop();
  if (namespaceVersions.rule === 'tracked') {
    throw new ArmError(
      400,
      'NoRegisteredProviderFound',
      `No registered resource provider found for location '${
        location?.(request.path) ?? 'global'
      }' and API version '${version}' for type '${typeName}'. The supported api-versions are '${supported.join(
        ', ',
      )}'.`,
    );
  }
  throw new ArmError(
    404,
    'InvalidResourceType',
    `The resource type '${typeName}' could not be found in the namespace '${
      namespaceVersions.name
    }' for api version '${version}'. The supported api-versions are '${supported.join(
      ',',
    )}'.`,
  );
}

/** The api-versions ARM accepts for a resource type, newest first; undefined for a type the tables do not hold. */
export function supportedApiVersions(
  namespaceName: string,
  type: string,
): readonly string[] | undefined {
  return API_VERSIONS.get(namespaceName.toLowerCase())?.types[
    type.toLowerCase()
  ]?.versions;
}

/**
 * The location ARM names in `NoRegisteredProviderFound`: the resource's own, or its resource group's when the
 * resource does not exist.
 */
export function locationOf(
  state: EmulatorState,
): (path: string) => string | undefined {
  return path => {
    const match = /^\/subscriptions\/([^/]+)\/resourcegroups\/([^/]+)/i.exec(
      path,
    );
    if (!match) return undefined;
    const subscription = state.subscription(match[1]);
    const id = path.replace(/\/+$/, '');
    return (
      subscription?.resources.get(id)?.location ??
      subscription?.resourceGroups.get(match[2].toLowerCase())?.location
    );
  };
}
