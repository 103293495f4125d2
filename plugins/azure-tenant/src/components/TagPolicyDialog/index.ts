export {
  TagPolicyDialog,
  INHERITANCE_TEXT,
  VALUES_KIND_TEXT,
} from './TagPolicyDialog';
export type { TagPolicyDialogProps } from './TagPolicyDialog';
export { isDeclaredPolicy } from './tagPolicyDraft';
