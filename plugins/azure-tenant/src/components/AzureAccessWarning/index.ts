export { AzureAccessWarning, isAzureAccessLost } from './AzureAccessWarning';
