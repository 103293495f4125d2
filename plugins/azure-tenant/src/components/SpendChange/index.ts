export { SpendChange } from './SpendChange';
