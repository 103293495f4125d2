export { AzureTenantsContent } from './AzureTenantsContent';
