export {
  TagEditor,
  TagsReadOnlyNotice,
  type TagEditorProps,
} from './TagEditor';
