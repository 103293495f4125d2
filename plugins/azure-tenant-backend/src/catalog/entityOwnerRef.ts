import {
  DEFAULT_NAMESPACE,
  Entity,
  parseEntityRef,
  RELATION_OWNED_BY,
  stringifyEntityRef,
} from '@backstage/catalog-model';

/**
 * The full, lower-case entity ref of an entity's owner, or undefined when it has none the catalog could relate.
 *
 * The target of its `ownedBy` relation comes first: the catalog derives it from `spec.owner`, so the two agree on a
 * processed entity, and the relation also names an owner that a catalog processor related without a `spec.owner`.
 * An entity read without its relations (a query whose `fields` leave them out, as the anomaly alerts and showback
 * do) falls back to `spec.owner`, read as the catalog reads it: a group unless it names a kind, in the entity's
 * namespace unless it names one. An owner that is not an entity ref is none.
 */
export function entityOwnerRef(entity: Entity): string | undefined {
  const relation = entity.relations?.find(r => r.type === RELATION_OWNED_BY);
  const owner = relation?.targetRef ?? entity.spec?.owner;
  if (typeof owner !== 'string' || owner === '') return undefined;
  try {
    return stringifyEntityRef(
      parseEntityRef(owner, {
        defaultKind: 'group',
        defaultNamespace: entity.metadata?.namespace ?? DEFAULT_NAMESPACE,
      }),
    );
  } catch {
    return undefined;
  }
}
