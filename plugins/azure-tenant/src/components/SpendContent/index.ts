export { SpendContent } from './SpendContent';
