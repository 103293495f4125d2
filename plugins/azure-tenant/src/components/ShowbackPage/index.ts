export { ShowbackPage } from './ShowbackPage';
