export {
  TenantAccessPanel,
  UnregisteredSubscriptionsPanel,
  tenantName,
} from './TenantAccessPanels';
export { StartOnboardingButton } from './StartOnboardingButton';
