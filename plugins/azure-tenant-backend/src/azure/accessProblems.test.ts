import { RestError } from '@azure/core-rest-pipeline';
import { AzureAccessProblem } from '@azure-tenant/plugin-azure-tenant-common';
import {
  ACCESS_ACTIONS,
  backsOff,
  classifyAccessProblem,
  stopsSync,
  subscriptionStateProblem,
} from './accessProblems';

const target = {
  tenantId: '7f3a1c52-9a8e-4c1b-8f0e-2d6b5a9c4e11',
  subscriptionId: '0b1f6471-1bf0-4dda-aec3-111122223333',
};

/** What @azure/identity throws when Entra ID refuses client credentials (as seen against the emulator). */
function tokenError(description: string): Error {
  const cause = Object.assign(new Error(description), {
    name: 'ServerError',
    errorCode: description.split(':')[0],
  });
  return Object.assign(new Error(description), {
    name: 'AuthenticationRequiredError',
    scopes: ['https://management.azure.com/.default'],
    getTokenOptions: { tracingOptions: { tracingContext: {} } },
    cause,
  });
}

const armError = (statusCode: number, code: string) =>
  new RestError(`${code}: Azure said no`, { statusCode, code });

describe('classifyAccessProblem', () => {
  it.each([
    [
      'invalid_client: Error(s): 7000229 - Description: AADSTS7000229: The client application x is missing service principal in the tenant y.',
      'AADSTS7000229',
    ],
    [
      'unauthorized_client: AADSTS700016: Application with identifier x was not found in the directory y.',
      'AADSTS700016',
    ],
    ['invalid_client: Error(s): Not Available', 'invalid_client'],
    [
      'unauthorized_client: the client is not authorized',
      'unauthorized_client',
    ],
  ])(
    'makes the token error %j the tenant’s consent-revoked, with code %s',
    (description, code) => {
      const finding = classifyAccessProblem(
        tokenError(description),
        'read',
        target,
      );
      expect(finding).toEqual({
        problem: 'consent-revoked',
        scope: 'tenant',
        code,
        message: expect.stringContaining(`tenant ${target.tenantId}`),
      });
    },
  );

  it('keeps none of the raw error: no scopes, tracing options or AADSTS text in the message', () => {
    const finding = classifyAccessProblem(
      tokenError(
        'invalid_client: AADSTS7000229: The client application 5c2d is missing service principal. Trace ID: 8a01',
      ),
      'token',
      target,
    )!;
    expect(finding.message).not.toMatch(/Trace ID|5c2d|\.default|tracing/);
    expect(finding.message).toMatch(/reconnect the tenant/);
    expect(Object.keys(finding).sort()).toEqual([
      'code',
      'message',
      'problem',
      'scope',
    ]);
  });

  it('leaves a token error that is not lost access alone (Entra ID answered 500)', () => {
    expect(
      classifyAccessProblem(
        tokenError('server_error: AADSTS90033: A transient error'),
        'token',
        target,
      ),
    ).toBeUndefined();
  });

  it('tells a removed Reader role from a removed Tag Contributor role by what was refused', () => {
    expect(
      classifyAccessProblem(
        armError(403, 'AuthorizationFailed'),
        'read',
        target,
      ),
    ).toMatchObject({ problem: 'read-denied', scope: 'subscription' });
    const write = classifyAccessProblem(
      armError(403, 'AuthorizationFailed'),
      'tag-write',
      target,
    );
    expect(write).toMatchObject({
      problem: 'tag-write-denied',
      scope: 'subscription',
      code: 'AuthorizationFailed',
    });
    expect(write!.message).toMatch(
      new RegExp(
        `^The portal's service principal no longer has the Tag Contributor role on subscription ${target.subscriptionId}.*an administrator can reconnect the tenant on the Azure tenants page\\.$`,
      ),
    );
  });

  it('says a subscription was moved (token of the wrong tenant) or deleted (not found)', () => {
    expect(
      classifyAccessProblem(
        armError(401, 'InvalidAuthenticationTokenTenant'),
        'read',
        target,
      ),
    ).toMatchObject({ problem: 'subscription-moved' });
    expect(
      classifyAccessProblem(
        armError(404, 'SubscriptionNotFound'),
        'read',
        target,
      ),
    ).toMatchObject({ problem: 'subscription-deleted' });
    expect(
      classifyAccessProblem(
        armError(409, 'ReadOnlyDisabledSubscription'),
        'tag-write',
        target,
      ),
    ).toMatchObject({ problem: 'subscription-disabled' });
  });

  it('is not lost access: throttling, server errors, a missing resource, a plain error', () => {
    for (const error of [
      armError(429, 'TooManyRequests'),
      armError(503, 'ServiceUnavailable'),
      armError(404, 'ResourceNotFound'),
      armError(403, 'RequestDisallowedByPolicy'),
      new Error('socket hang up'),
    ]) {
      expect(classifyAccessProblem(error, 'read', target)).toBeUndefined();
    }
  });
});

describe('subscriptionStateProblem', () => {
  it.each([
    ['Disabled', 'subscription-disabled', true],
    ['Warned', 'subscription-warned', false],
    ['Deleted', 'subscription-deleted', true],
  ])('makes the state %s the problem %s', (state, problem, stops) => {
    const finding = subscriptionStateProblem(state, target.subscriptionId)!;
    expect(finding.problem).toBe(problem);
    expect(stopsSync(finding.problem)).toBe(stops);
    expect(ACCESS_ACTIONS[finding.problem]).not.toBe('reconnect');
  });

  it('has no problem with an enabled subscription, or one whose state Azure did not say', () => {
    expect(subscriptionStateProblem('Enabled', target.subscriptionId)).toBe(
      undefined,
    );
    expect(subscriptionStateProblem(undefined, target.subscriptionId)).toBe(
      undefined,
    );
  });
});

describe('backsOff', () => {
  const now = new Date('2026-12-04T10:00:00Z');
  const lost = (problem: AzureAccessProblem, nextAttemptAt?: string) => ({
    problem,
    message: 'lost',
    since: '2026-12-04T09:00:00Z',
    checkedAt: '2026-12-04T09:00:00Z',
    action: ACCESS_ACTIONS[problem],
    ...(nextAttemptAt ? { nextAttemptAt } : {}),
  });

  it('waits until the next attempt of a problem that stops syncs', () => {
    expect(backsOff(lost('read-denied', '2026-12-04T10:05:00Z'), now)).toBe(
      true,
    );
    expect(backsOff(lost('read-denied', '2026-12-04T09:55:00Z'), now)).toBe(
      false,
    );
  });

  it('never waits without a next attempt, or for a problem syncs go on with', () => {
    expect(backsOff(lost('consent-revoked'), now)).toBe(false);
    expect(
      backsOff(lost('subscription-warned', '2026-12-04T10:05:00Z'), now),
    ).toBe(false);
  });
});
