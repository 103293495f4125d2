export { AzureTenantsPage } from './AzureTenantsPage';
