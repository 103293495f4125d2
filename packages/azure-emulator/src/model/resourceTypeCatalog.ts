/**
 * What the emulator knows about resource types: how common they are in a typical tenant, what they
 * cost per day, and the names Cost Management uses for them.
 */
export interface ResourceTypeInfo {
  type: string;
  /** Short name used in generated resource names. */
  abbreviation: string;
  /** Relative frequency in generated tenants. */
  weight: number;
  /** Typical daily cost in USD. */
  dailyCost: number;
  /** Cost Management's `ServiceName`. */
  serviceName: string;
  /** Cost Management's `MeterCategory`. */
  meterCategory: string;
  kind?: string;
  sku?: { name: string; tier?: string };
}

export const RESOURCE_TYPES: readonly ResourceTypeInfo[] = [
  {
    type: 'Microsoft.Compute/virtualMachines',
    abbreviation: 'vm',
    weight: 14,
    dailyCost: 4.6,
    serviceName: 'Virtual Machines',
    meterCategory: 'Virtual Machines',
  },
  {
    type: 'Microsoft.Compute/disks',
    abbreviation: 'disk',
    weight: 16,
    dailyCost: 0.65,
    serviceName: 'Storage',
    meterCategory: 'Storage',
    sku: { name: 'Premium_LRS', tier: 'Premium' },
  },
  {
    type: 'Microsoft.Network/networkInterfaces',
    abbreviation: 'nic',
    weight: 14,
    dailyCost: 0,
    serviceName: 'Virtual Network',
    meterCategory: 'Virtual Network',
  },
  {
    type: 'Microsoft.Network/publicIPAddresses',
    abbreviation: 'pip',
    weight: 6,
    dailyCost: 0.12,
    serviceName: 'Virtual Network',
    meterCategory: 'Virtual Network',
    sku: { name: 'Standard', tier: 'Regional' },
  },
  {
    type: 'Microsoft.Network/virtualNetworks',
    abbreviation: 'vnet',
    weight: 4,
    dailyCost: 0.02,
    serviceName: 'Virtual Network',
    meterCategory: 'Virtual Network',
  },
  {
    type: 'Microsoft.Network/networkSecurityGroups',
    abbreviation: 'nsg',
    weight: 5,
    dailyCost: 0,
    serviceName: 'Virtual Network',
    meterCategory: 'Virtual Network',
  },
  {
    type: 'Microsoft.Network/loadBalancers',
    abbreviation: 'lb',
    weight: 2,
    dailyCost: 0.6,
    serviceName: 'Load Balancer',
    meterCategory: 'Load Balancer',
    sku: { name: 'Standard', tier: 'Regional' },
  },
  {
    type: 'Microsoft.Storage/storageAccounts',
    abbreviation: 'st',
    weight: 10,
    dailyCost: 1.3,
    serviceName: 'Storage',
    meterCategory: 'Storage',
    kind: 'StorageV2',
    sku: { name: 'Standard_LRS', tier: 'Standard' },
  },
  {
    type: 'Microsoft.Web/sites',
    abbreviation: 'app',
    weight: 7,
    dailyCost: 2.4,
    serviceName: 'Azure App Service',
    meterCategory: 'Azure App Service',
    kind: 'app,linux',
  },
  {
    type: 'Microsoft.Web/serverFarms',
    abbreviation: 'plan',
    weight: 4,
    dailyCost: 3.1,
    serviceName: 'Azure App Service',
    meterCategory: 'Azure App Service',
    kind: 'linux',
    sku: { name: 'P1v3', tier: 'PremiumV3' },
  },
  {
    type: 'Microsoft.Sql/servers',
    abbreviation: 'sql',
    weight: 2,
    dailyCost: 6.2,
    serviceName: 'SQL Database',
    meterCategory: 'SQL Database',
    kind: 'v12.0',
  },
  {
    type: 'Microsoft.DBforPostgreSQL/flexibleServers',
    abbreviation: 'psql',
    weight: 3,
    dailyCost: 7.9,
    serviceName: 'Azure Database for PostgreSQL',
    meterCategory: 'Azure Database for PostgreSQL',
    sku: { name: 'Standard_D2ds_v4', tier: 'GeneralPurpose' },
  },
  {
    type: 'Microsoft.KeyVault/vaults',
    abbreviation: 'kv',
    weight: 4,
    dailyCost: 0.08,
    serviceName: 'Key Vault',
    meterCategory: 'Key Vault',
  },
  {
    type: 'Microsoft.ContainerService/managedClusters',
    abbreviation: 'aks',
    weight: 1,
    dailyCost: 24,
    serviceName: 'Azure Kubernetes Service',
    meterCategory: 'Azure Kubernetes Service',
    sku: { name: 'Base', tier: 'Standard' },
  },
  {
    type: 'Microsoft.ContainerRegistry/registries',
    abbreviation: 'acr',
    weight: 1,
    dailyCost: 0.55,
    serviceName: 'Container Registry',
    meterCategory: 'Container Registry',
    sku: { name: 'Standard', tier: 'Standard' },
  },
  {
    type: 'Microsoft.Insights/components',
    abbreviation: 'appi',
    weight: 3,
    dailyCost: 0.9,
    serviceName: 'Application Insights',
    meterCategory: 'Application Insights',
    kind: 'web',
  },
  {
    type: 'Microsoft.OperationalInsights/workspaces',
    abbreviation: 'log',
    weight: 2,
    dailyCost: 5.2,
    serviceName: 'Log Analytics',
    meterCategory: 'Log Analytics',
  },
  {
    type: 'Microsoft.DocumentDB/databaseAccounts',
    abbreviation: 'cosmos',
    weight: 1,
    dailyCost: 9.4,
    serviceName: 'Azure Cosmos DB',
    meterCategory: 'Azure Cosmos DB',
    kind: 'GlobalDocumentDB',
  },
  {
    type: 'Microsoft.Cache/Redis',
    abbreviation: 'redis',
    weight: 1,
    dailyCost: 3.8,
    serviceName: 'Redis Cache',
    meterCategory: 'Redis Cache',
  },
  {
    type: 'Microsoft.ServiceBus/namespaces',
    abbreviation: 'sb',
    weight: 1,
    dailyCost: 0.33,
    serviceName: 'Service Bus',
    meterCategory: 'Service Bus',
    sku: { name: 'Standard', tier: 'Standard' },
  },
];

const BY_TYPE = new Map(RESOURCE_TYPES.map(t => [t.type.toLowerCase(), t]));

const FALLBACK: Omit<ResourceTypeInfo, 'type'> = {
  abbreviation: 'res',
  weight: 0,
  dailyCost: 1,
  serviceName: 'Other',
  meterCategory: 'Other',
};

/** What the catalog knows about a type; unknown types get neutral defaults. */
export function resourceTypeInfo(type: string): ResourceTypeInfo {
  return BY_TYPE.get(type.toLowerCase()) ?? { ...FALLBACK, type };
}
