export { TagsContent } from './TagsContent';
