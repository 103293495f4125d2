export {
  TagEditor,
  TagsReadOnlyNotice,
  type TagEditorProps,
} from './TagEditor';
export { TagProblemList } from './TagProblemList';
