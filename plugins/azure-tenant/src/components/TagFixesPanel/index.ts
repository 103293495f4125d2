export { TagFixesPanel } from './TagFixesPanel';
export type { TagFixesPanelProps } from './TagFixesPanel';
