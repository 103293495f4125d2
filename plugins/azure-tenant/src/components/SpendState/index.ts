export { SpendState, isPermissionDenied } from './SpendState';
