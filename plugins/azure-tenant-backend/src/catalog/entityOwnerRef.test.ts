import { Entity } from '@backstage/catalog-model';
import { entityOwnerRef } from './entityOwnerRef';

function resource(
  spec: Entity['spec'],
  extra: Partial<Entity> & { namespace?: string } = {},
): Entity {
  const { namespace, ...rest } = extra;
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: { name: 'vm-1', ...(namespace ? { namespace } : {}) },
    spec,
    ...rest,
  };
}

describe('entityOwnerRef', () => {
  it('reads a short spec.owner as a group in the entity namespace', () => {
    expect(entityOwnerRef(resource({ owner: 'Team-A' }))).toBe(
      'group:default/team-a',
    );
    expect(
      entityOwnerRef(resource({ owner: 'team-a' }, { namespace: 'Finance' })),
    ).toBe('group:finance/team-a');
  });

  it('keeps the kind and namespace that spec.owner names', () => {
    expect(
      entityOwnerRef(
        resource({ owner: 'user:people/alice' }, { namespace: 'finance' }),
      ),
    ).toBe('user:people/alice');
  });

  it('prefers the ownedBy relation to spec.owner', () => {
    expect(
      entityOwnerRef(
        resource(
          { owner: 'team-a' },
          {
            relations: [
              { type: 'partOf', targetRef: 'system:default/payments' },
              { type: 'ownedBy', targetRef: 'group:default/team-b' },
            ],
          },
        ),
      ),
    ).toBe('group:default/team-b');
    expect(
      entityOwnerRef(
        resource(
          {},
          { relations: [{ type: 'ownedBy', targetRef: 'user:default/bob' }] },
        ),
      ),
    ).toBe('user:default/bob');
  });

  it('has no owner without one, or with one that is not an entity ref', () => {
    expect(entityOwnerRef(resource({}))).toBeUndefined();
    expect(entityOwnerRef(resource(undefined))).toBeUndefined();
    expect(entityOwnerRef(resource({ owner: '' }))).toBeUndefined();
    expect(entityOwnerRef(resource({ owner: 42 }))).toBeUndefined();
    expect(
      entityOwnerRef(resource({ owner: 'group:/team-a' })),
    ).toBeUndefined();
  });
});
