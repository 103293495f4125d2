import { randomUUID } from 'node:crypto';

/**
 * How long Azure keeps changes: "Resource Graph ... stores changes for 14 days" (Microsoft Learn, "Get resource
 * changes", https://learn.microsoft.com/azure/governance/resource-graph/how-to/get-resource-changes).
 */
export const CHANGE_RETENTION_MS = 14 * 86_400_000;

/**
 * What happened to the target.
 *
 * @public
 */
export type ChangeType = 'Create' | 'Update' | 'Delete';

/**
 * One property's change, keyed by its path (`tags.env`, `location`) in a change's `changes`. As in the spec example,
 * an absent value is the string `"null"`.
 *
 * @public
 */
export interface PropertyChange {
  previousValue: string;
  newValue: string;
  /** `User` for what a caller changed, `System` for what the platform did. */
  changeCategory: 'User' | 'System';
  propertyChangeType: 'Insert' | 'Update' | 'Remove';
}

/**
 * Who made a change, in the "Change Actor" fields of Microsoft Learn's "Get resource changes".
 *
 * @public
 */
export interface ChangeActor {
  /** A user's sign-in name or an application's id; '' when unknown (the portal's example has ''). */
  changedBy: string;
  /** `User` or `Application` (the vocabulary of ARM's `systemData.createdByType`). */
  changedByType: string;
  /** Which client made the change, e.g. `Azure Portal`. */
  clientType: string;
  /** The ARM correlation id of the request that made the change. */
  correlationId: string;
}

/**
 * A change resource (`Microsoft.Resources/changes`), as Resource Graph's `resourcechanges` and
 * `resourcecontainerchanges` tables hold it. The shape follows azure-rest-api-specs
 * specification/resources/resource-manager/Microsoft.Resources/changes/stable/2022-05-01/examples/ListChanges.json,
 * with the Change Actor attributes (`changedBy`, `changedByType`, `clientType`, `operation`) of Microsoft Learn's
 * "Get resource changes" payload example.
 *
 * @public
 */
export interface ResourceChange {
  /** `{targetResourceId}/providers/Microsoft.Resources/changes/{name}`. */
  id: string;
  name: string;
  type: 'Microsoft.Resources/changes';
  subscriptionId: string;
  properties: {
    targetResourceId: string;
    /** Lower case, as in Learn's example (`microsoft.compute/virtualmachines`). */
    targetResourceType: string;
    changeType: ChangeType;
    changeAttributes: {
      /** ISO 8601 UTC. */
      timestamp: string;
      correlationId: string;
      changedBy: string;
      changedByType: string;
      clientType: string;
      /** The RBAC operation, lower case, e.g. `microsoft.resources/tags/write`. */
      operation: string;
      changesCount: number;
      previousResourceSnapshotId: string;
      newResourceSnapshotId: string;
    };
    changes: Record<string, PropertyChange>;
  };
}

/** A change as the log keeps it: the change resource and its time in milliseconds, for ordering and retention. */
export interface LoggedChange {
  change: ResourceChange;
  timestampMs: number;
}

/** What a writer tells the log; the log adds the id, the snapshot ids and the counts. */
export interface NewChange {
  subscriptionId: string;
  targetResourceId: string;
  /** The target's type in any case, e.g. `Microsoft.Compute/virtualMachines`. */
  targetResourceType: string;
  changeType: ChangeType;
  timestampMs: number;
  operation: string;
  actor: ChangeActor;
  changes: Record<string, PropertyChange>;
}

/** Options for a write that may leave a change record. */
export interface ChangeWriteOptions {
  /** Who makes the change. Defaults to {@link PORTAL_ACTOR} (someone in the Azure portal). */
  actor?: ChangeActor;
  /**
   * Test-only fault injection: write without a change record, as if Resource Graph had missed it, so that a reader's
   * full reconcile must catch it.
   */
  omitFromChangeFeed?: boolean;
}

/** The actor of changes made through the control API: someone in the Azure portal, as Learn's example shows. */
export function portalActor(): ChangeActor {
  return {
    changedBy: '',
    changedByType: 'User',
    clientType: 'Azure Portal',
    correlationId: randomUUID(),
  };
}

/** Orders change names within a millisecond in the order they were written (`order by changeTime, changeId`). */
let sequence = 0;

function changeName(): string {
  sequence = (sequence + 1) % 0x1_0000_0000;
  return `${sequence.toString(16).padStart(8, '0')}${randomUUID().slice(8)}`;
}

/**
 * The changes of one subscription's resources (or of its containers: the subscription and its resource groups), in
 * the order they were written. It holds only actual writes, never the base resources, and drops what is older than
 * {@link CHANGE_RETENTION_MS} by the emulator's clock, lazily, when it is written or read.
 */
export class ChangeLog {
  private entries: LoggedChange[] = [];
  /** The latest snapshot id of each changed target (lower-case id), so that the next change names it as previous. */
  private readonly snapshots = new Map<string, string>();

  constructor(
    /** The emulator's clock, in milliseconds. */
    readonly now: () => number,
    private readonly retentionMs = CHANGE_RETENTION_MS,
  ) {}

  /** Records a change and returns it. */
  append(input: NewChange): ResourceChange {
    const key = input.targetResourceId.toLowerCase();
    const previousSnapshot = this.snapshots.get(key) ?? randomUUID();
    const newSnapshot = randomUUID();
    if (input.changeType === 'Delete') this.snapshots.delete(key);
    else this.snapshots.set(key, newSnapshot);
    const name = changeName();
    const change: ResourceChange = {
      id: `${input.targetResourceId}/providers/Microsoft.Resources/changes/${name}`,
      name,
      type: 'Microsoft.Resources/changes',
      subscriptionId: input.subscriptionId,
      properties: {
        targetResourceId: input.targetResourceId,
        targetResourceType: input.targetResourceType.toLowerCase(),
        changeType: input.changeType,
        changeAttributes: {
          timestamp: new Date(input.timestampMs).toISOString(),
          correlationId: input.actor.correlationId,
          changedBy: input.actor.changedBy,
          changedByType: input.actor.changedByType,
          clientType: input.actor.clientType,
          operation: input.operation.toLowerCase(),
          changesCount: Object.keys(input.changes).length,
          previousResourceSnapshotId: previousSnapshot,
          newResourceSnapshotId: newSnapshot,
        },
        changes: input.changes,
      },
    };
    this.entries.push({ change, timestampMs: input.timestampMs });
    this.dropExpired();
    return change;
  }

  /** The changes kept, oldest first, whose time is after `afterMs`. */
  since(afterMs: number): LoggedChange[] {
    this.dropExpired();
    return this.entries.filter(e => e.timestampMs > afterMs);
  }

  /** How many changes are kept. */
  get size(): number {
    this.dropExpired();
    return this.entries.length;
  }

  private dropExpired(): void {
    const oldest = this.now() - this.retentionMs;
    // Written in time order, so the expired ones are at the start.
    let expired = 0;
    while (
      expired < this.entries.length &&
      this.entries[expired].timestampMs < oldest
    ) {
      expired++;
    }
    if (expired > 0) this.entries = this.entries.slice(expired);
  }
}

/** The `changes` of a tag edit: one `tags.{name}` entry per tag inserted, updated or removed. */
export function tagChanges(
  before: Record<string, string>,
  after: Record<string, string>,
): Record<string, PropertyChange> {
  const changes: Record<string, PropertyChange> = {};
  for (const [name, value] of Object.entries(after)) {
    const previous = before[name];
    if (previous === value) continue;
    changes[`tags.${name}`] = {
      previousValue: previous ?? 'null',
      newValue: value,
      changeCategory: 'User',
      propertyChangeType: previous === undefined ? 'Insert' : 'Update',
    };
  }
  for (const [name, value] of Object.entries(before)) {
    if (name in after) continue;
    changes[`tags.${name}`] = {
      previousValue: value,
      newValue: 'null',
      changeCategory: 'User',
      propertyChangeType: 'Remove',
    };
  }
  return changes;
}

/** The `changes` of one plain property (`location`, `kind`, `properties.state`), or none when it did not change. */
export function propertyChange(
  path: string,
  before: string | undefined,
  after: string | undefined,
): Record<string, PropertyChange> {
  if ((before ?? '') === (after ?? '')) return {};
  let propertyChangeType: PropertyChange['propertyChangeType'] = 'Update';
  if (!before) propertyChangeType = 'Insert';
  else if (!after) propertyChangeType = 'Remove';
  return {
    [path]: {
      previousValue: before || 'null',
      newValue: after || 'null',
      changeCategory: 'User',
      propertyChangeType,
    },
  };
}
