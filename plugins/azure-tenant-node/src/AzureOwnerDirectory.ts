import {
  DEFAULT_NAMESPACE,
  Entity,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { AuthService } from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';

const TEAM_PREFIX = /^team[-_]/;

/**
 * The catalog's groups and users, indexed for resolving the value of an owner tag, case-insensitively:
 * 1. a group by name (`Platform` → `group:default/platform`);
 * 2. a group by name after stripping a `team-` or `team_` prefix (`team-platform` → `group:default/platform`);
 * 3. a group by `spec.profile.displayName` or `metadata.title`;
 * 4. a user by name, then by `spec.profile.email`.
 * When two entities match at the same step, the one in the `default` namespace wins, then the first one seen.
 *
 * @public
 */
export class AzureOwnerDirectory {
  /** Changes whenever what the directory resolves changes; equal directories have equal fingerprints. */
  readonly fingerprint: string;

  private readonly groupsByName: Map<string, string>;
  private readonly groupsByDisplayName: Map<string, string>;
  private readonly usersByName: Map<string, string>;
  private readonly usersByEmail: Map<string, string>;
  private readonly refs: Set<string>;

  private constructor(
    maps: {
      groupsByName: Map<string, string>;
      groupsByDisplayName: Map<string, string>;
      usersByName: Map<string, string>;
      usersByEmail: Map<string, string>;
    },
    refs: Set<string>,
  ) {
    this.groupsByName = maps.groupsByName;
    this.groupsByDisplayName = maps.groupsByDisplayName;
    this.usersByName = maps.usersByName;
    this.usersByEmail = maps.usersByEmail;
    this.refs = refs;
    this.fingerprint = Object.values(maps)
      .map(map =>
        [...map.entries()]
          .map(([key, ref]) => `${key}=${ref}`)
          .sort()
          .join('\n'),
      )
      .join('\n--\n');
  }

  /** A directory that resolves nothing: every owner falls back to the default owner. */
  static empty(): AzureOwnerDirectory {
    return AzureOwnerDirectory.fromEntities([]);
  }

  /** Indexes `Group` and `User` entities; other kinds are ignored. */
  static fromEntities(entities: Iterable<Entity>): AzureOwnerDirectory {
    const maps = {
      groupsByName: new Map<string, string>(),
      groupsByDisplayName: new Map<string, string>(),
      usersByName: new Map<string, string>(),
      usersByEmail: new Map<string, string>(),
    };
    const refs = new Set<string>();
    for (const entity of entities) {
      const kind = entity.kind.toLocaleLowerCase('en-US');
      const namespace = entity.metadata.namespace ?? DEFAULT_NAMESPACE;
      const ref = stringifyEntityRef({
        kind,
        namespace,
        name: entity.metadata.name,
      });
      const isDefault = namespace === DEFAULT_NAMESPACE;
      if (kind === 'group' || kind === 'user') {
        refs.add(ref.toLocaleLowerCase('en-US'));
      }
      const profile = (entity.spec?.profile ?? {}) as {
        displayName?: unknown;
        email?: unknown;
      };
      if (kind === 'group') {
        index(maps.groupsByName, entity.metadata.name, ref, isDefault);
        index(maps.groupsByDisplayName, profile.displayName, ref, isDefault);
        index(maps.groupsByDisplayName, entity.metadata.title, ref, isDefault);
      } else if (kind === 'user') {
        index(maps.usersByName, entity.metadata.name, ref, isDefault);
        index(maps.usersByEmail, profile.email, ref, isDefault);
      }
    }
    return new AzureOwnerDirectory(maps, refs);
  }

  /** Whether the directory holds the group or user of a full entity reference such as `group:default/platform`. */
  has(entityRef: string): boolean {
    return this.refs.has(entityRef.toLocaleLowerCase('en-US'));
  }

  /** The entity reference of the group or user an owner tag value names, or `undefined`. */
  resolve(value: string): string | undefined {
    const key = normalize(value);
    if (!key) {
      return undefined;
    }
    const withoutPrefix = key.replace(TEAM_PREFIX, '');
    return (
      this.groupsByName.get(key) ??
      (withoutPrefix !== key
        ? this.groupsByName.get(withoutPrefix)
        : undefined) ??
      this.groupsByDisplayName.get(key) ??
      this.usersByName.get(key) ??
      this.usersByEmail.get(key)
    );
  }
}

function normalize(value: string): string {
  return value.trim().toLocaleLowerCase('en-US');
}

function index(
  map: Map<string, string>,
  value: unknown,
  ref: string,
  isDefaultNamespace: boolean,
) {
  if (typeof value !== 'string') {
    return;
  }
  const key = normalize(value);
  if (!key) {
    return;
  }
  const existing = map.get(key);
  if (
    existing === undefined ||
    (isDefaultNamespace && !existing.includes(`:${DEFAULT_NAMESPACE}/`))
  ) {
    map.set(key, ref);
  }
}

/**
 * Loads every group and user from the catalog into an {@link AzureOwnerDirectory}, with the module's own
 * credentials. Only the fields the directory needs are fetched.
 *
 * @public
 */
export async function loadAzureOwnerDirectory(options: {
  catalog: CatalogService;
  auth: AuthService;
}): Promise<AzureOwnerDirectory> {
  const { catalog, auth } = options;
  const credentials = await auth.getOwnServiceCredentials();
  const entities: Entity[] = [];
  for await (const page of catalog.streamEntities(
    {
      filter: { kind: ['Group', 'User'] },
      fields: [
        'kind',
        'metadata.name',
        'metadata.namespace',
        'metadata.title',
        'spec.profile.displayName',
        'spec.profile.email',
      ],
    },
    { credentials },
  )) {
    entities.push(...page);
  }
  return AzureOwnerDirectory.fromEntities(entities);
}
