export { TagsCard } from './TagsCard';
