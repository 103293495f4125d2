export { InlineError, describeError } from './InlineError';
