export { SyncModeSelect } from './SyncModeSelect';
export type { SyncModeSelectProps } from './SyncModeSelect';
