/**
 * How much of an Azure subscription the portal synchronizes, chosen for each subscription.
 *
 * @public
 */
export type SyncMode = 'none' | 'no-tags' | 'read-tags' | 'read-write-tags';

/**
 * Every sync mode, from the most restrictive to the default.
 *
 * @public
 */
export const SYNC_MODES: readonly SyncMode[] = [
  'none',
  'no-tags',
  'read-tags',
  'read-write-tags',
];

/**
 * The sync mode of a newly connected subscription.
 *
 * @public
 */
export const DEFAULT_SYNC_MODE: SyncMode = 'read-write-tags';

/**
 * What a user reads about a sync mode, in the words of the page this product grows from.
 *
 * @public
 */
export interface SyncModeDescription {
  title: string;
  description: string;
}

/**
 * The title and description of each sync mode.
 *
 * @public
 */
export const SYNC_MODE_DESCRIPTIONS: Readonly<
  Record<SyncMode, SyncModeDescription>
> = {
  none: {
    title: 'No Resources',
    description:
      'No resources or tags will be synchronized from subscriptions marked with this setting.',
  },
  'no-tags': {
    title: 'No Tags',
    description:
      'Your resources will be synchronized from your Azure Subscription, but their tags will not be synchronized in either direction.',
  },
  'read-tags': {
    title: 'Read Tags Only',
    description:
      'Your resources will be synchronized from your Azure Subscription, including their Tags. Any changes to Tags in the portal will not be written back to Azure.',
  },
  'read-write-tags': {
    title: 'Read and Write Tags',
    description:
      'Your resources will be synchronized from your Azure Subscription, including their Tags. Any tag changes in the portal will be written back to Azure.',
  },
};

/**
 * Whether a value is one of the four sync modes.
 *
 * @public
 */
export function isSyncMode(value: unknown): value is SyncMode {
  return (
    typeof value === 'string' &&
    (SYNC_MODES as readonly string[]).includes(value)
  );
}
