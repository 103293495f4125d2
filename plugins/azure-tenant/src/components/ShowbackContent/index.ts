export { ShowbackContent, type ShowbackContentProps } from './ShowbackContent';
export { EntityShowbackContent } from './EntityShowbackContent';
