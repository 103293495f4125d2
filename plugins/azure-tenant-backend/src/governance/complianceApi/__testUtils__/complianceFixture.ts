import {
  AuthorizePermissionRequest,
  AuthorizeResult,
} from '@backstage/plugin-permission-common';
import {
  azureResourceEntityRef,
  ResourceTagCompliance,
  TagViolation,
} from '@azure-tenant/plugin-azure-tenant-common';

export const SUBSCRIPTION_A = '11111111-1111-4111-8111-111111111111';
export const SUBSCRIPTION_B = '22222222-2222-4222-8222-222222222222';
export const PLATFORM_TEAM = 'group:default/platform';
export const DATA_TEAM = 'group:default/data';

const OWNER_VIOLATION: TagViolation = {
  policyId: 'owner-policy',
  policyName: 'Owner is a catalog team',
  key: 'owner',
  code: 'missing',
  message: "The tag 'owner' is missing.",
};
const ENV_VIOLATION: TagViolation = {
  policyId: 'env-policy',
  policyName: 'Environment',
  key: 'env',
  code: 'value-not-allowed',
  found: { key: 'env', value: 'Production' },
  message: "The value 'Production' of 'env' is not one of dev, test, prod.",
};

function statusOf(
  unknown: boolean | undefined,
  violations: TagViolation[],
): ResourceTagCompliance['status'] {
  if (unknown) return 'unknown';
  return violations.length > 0 ? 'non-compliant' : 'compliant';
}

/** An evaluated resource of the fixture. */
export function compliance(
  subscriptionId: string,
  name: string,
  options: {
    ownerRef?: string;
    violations?: TagViolation[];
    unknown?: boolean;
  } = {},
): ResourceTagCompliance {
  const violations = options.violations ?? [];
  return {
    resourceId: `/subscriptions/${subscriptionId}/resourceGroups/RG-${name}/providers/Microsoft.Web/sites/${name}`,
    subscriptionId,
    resourceGroup: `RG-${name}`,
    type: 'microsoft.web/sites',
    name,
    ...(options.ownerRef ? { ownerRef: options.ownerRef } : {}),
    status: statusOf(options.unknown, violations),
    violations,
    evaluatedAt: '2026-12-05T10:00:00.000Z',
  };
}

/** Six resources over two subscriptions: two teams' and unowned ones, compliant and not, one whose tags are not kept. */
export function complianceFixture(): ResourceTagCompliance[] {
  return [
    compliance(SUBSCRIPTION_A, 'web-1', { ownerRef: PLATFORM_TEAM }),
    compliance(SUBSCRIPTION_A, 'web-2', {
      ownerRef: PLATFORM_TEAM,
      violations: [ENV_VIOLATION],
    }),
    compliance(SUBSCRIPTION_A, 'web-3', { violations: [OWNER_VIOLATION] }),
    compliance(SUBSCRIPTION_A, 'web-4', {
      violations: [OWNER_VIOLATION, ENV_VIOLATION],
    }),
    compliance(SUBSCRIPTION_B, 'api-1', { ownerRef: DATA_TEAM }),
    compliance(SUBSCRIPTION_B, 'api-2', { unknown: true }),
  ];
}

/** Permissions that deny what `denies` says and allow the rest, recording every request. */
export function fakePermissions(
  denies: (request: AuthorizePermissionRequest) => boolean = () => false,
) {
  const authorize = jest.fn(async (requests: AuthorizePermissionRequest[]) =>
    requests.map(request => ({
      result: denies(request) ? AuthorizeResult.DENY : AuthorizeResult.ALLOW,
    })),
  );
  return { authorize, authorizeConditional: jest.fn() };
}

/** Denies reading the catalog entity of these resources. */
export const deniesResources =
  (...resourceIds: string[]) =>
  (request: AuthorizePermissionRequest) =>
    request.permission.name === 'catalog.entity.read' &&
    'resourceRef' in request &&
    resourceIds.map(azureResourceEntityRef).includes(request.resourceRef!);

/** Denies one permission, by name (and entity, when given). */
export const deniesPermission =
  (name: string, resourceRef?: string) =>
  (request: AuthorizePermissionRequest) =>
    request.permission.name === name &&
    (resourceRef === undefined ||
      ('resourceRef' in request && request.resourceRef === resourceRef));
