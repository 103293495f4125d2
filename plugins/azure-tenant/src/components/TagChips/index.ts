export { TagChips, sortedTags } from './TagChips';
