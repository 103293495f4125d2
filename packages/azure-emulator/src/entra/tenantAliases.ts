import { EmulatorContext } from '../EmulatorContext';
import { EntraError } from '../errors/EntraError';
import { TenantState } from '../model/EmulatorState';

/** The tenant segment of an Entra URL: a tenant, or an alias that lets the user's tenant decide. */
export type TenantSelector =
  | { kind: 'tenant'; tenant: TenantState }
  | { kind: 'alias'; alias: 'organizations' | 'common' };

/** Resolves `/{tenant}/...` to a tenant or an alias; unknown tenants fail with AADSTS90002. */
export function resolveTenantSegment(
  context: EmulatorContext,
  segment: string,
): TenantSelector {
  const lower = segment.toLowerCase();
  if (lower === 'organizations' || lower === 'common')
    return { kind: 'alias', alias: lower };
  const tenant = context.state.tenants.get(lower);
  if (tenant) return { kind: 'tenant', tenant };
  throw new EntraError(
    'invalid_request',
    90002,
    `Tenant '${segment}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`,
  );
}
