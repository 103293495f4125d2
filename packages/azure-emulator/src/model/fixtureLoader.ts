import { promises as fs } from 'node:fs';
import path from 'node:path';
import { EmulatorFixture } from './fixture';

/**
 * The demo fixture shipped with the package.
 *
 * @public
 */
export const DEMO_FIXTURE_PATH = path.join(
  packageRoot(),
  'fixtures',
  'demo.json',
);

/** The package's directory (works from source and from the published package). */
export function packageRoot(): string {
  return path.dirname(
    require.resolve('@azure-tenant/azure-emulator/package.json'),
  );
}

/**
 * A fixture that does not have the required shape.
 *
 * @public
 */
export class FixtureError extends Error {
  readonly name = 'FixtureError';
  readonly code = 'InvalidFixture';
}

function requireString(value: unknown, where: string): void {
  if (typeof value !== 'string' || !value)
    throw new FixtureError(`${where} must be a non-empty string`);
}

/** Checks the parts of the fixture the emulator depends on, with messages that say where. */
export function validateFixture(fixture: unknown): EmulatorFixture {
  const f = fixture as EmulatorFixture;
  if (!f || typeof f !== 'object' || !Array.isArray(f.tenants)) {
    throw new FixtureError('fixture.tenants must be an array');
  }
  f.tenants.forEach((t, i) => {
    requireString(t.id, `tenants[${i}].id`);
    requireString(t.displayName, `tenants[${i}].displayName`);
    if (!Array.isArray(t.users))
      throw new FixtureError(`tenants[${i}].users must be an array`);
    t.users.forEach((u, j) => {
      requireString(u.oid, `tenants[${i}].users[${j}].oid`);
      requireString(
        u.userPrincipalName,
        `tenants[${i}].users[${j}].userPrincipalName`,
      );
    });
  });
  (f.apps ?? []).forEach((a, i) => {
    requireString(a.clientId, `apps[${i}].clientId`);
    requireString(a.clientSecret, `apps[${i}].clientSecret`);
    if (!Array.isArray(a.redirectUris))
      throw new FixtureError(`apps[${i}].redirectUris must be an array`);
  });
  (f.subscriptions ?? []).forEach((s, i) => {
    requireString(s.subscriptionId, `subscriptions[${i}].subscriptionId`);
    requireString(s.tenantId, `subscriptions[${i}].tenantId`);
    requireString(s.displayName, `subscriptions[${i}].displayName`);
    (s.resources ?? []).forEach((r, j) => {
      const where = `subscriptions[${i}].resources[${j}]`;
      requireString(r.name, `${where}.name`);
      requireString(r.resourceGroup, `${where}.resourceGroup`);
      requireString(r.location, `${where}.location`);
      if (typeof r.type !== 'string' || !/^[^/]+\/[^/]+$/.test(r.type)) {
        throw new FixtureError(`${where}.type must look like 'Namespace/type'`);
      }
      const names = Object.keys(r.tags ?? {}).map(k => k.toLowerCase());
      if (new Set(names).size !== names.length) {
        throw new FixtureError(
          `${where}.tags has names that differ only in case; Azure tag names are case-insensitive`,
        );
      }
    });
  });
  return f;
}

/** Reads and validates a fixture file. */
export async function loadFixtureFile(file: string): Promise<EmulatorFixture> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await fs.readFile(file, 'utf8'));
  } catch (error) {
    throw new FixtureError(
      `Cannot read fixture '${file}': ${(error as Error).message}`,
      { cause: error },
    );
  }
  return validateFixture(parsed);
}
