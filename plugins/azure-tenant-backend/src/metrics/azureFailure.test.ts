import { createPipelineRequest, RestError } from '@azure/core-rest-pipeline';
import { azureErrorFields, azureFailureReason } from './azureFailure';

const restError = (statusCode: number, code?: string) =>
  new RestError(`Azure answered ${statusCode}`, {
    statusCode,
    code,
    request: createPipelineRequest({
      url: 'https://management.azure.com/subscriptions/x',
      headers: undefined,
    }),
  });

describe('azureFailureReason', () => {
  it('names lost access as the lost-access contract does', () => {
    expect(azureFailureReason(restError(403, 'AuthorizationFailed'))).toBe(
      'read-denied',
    );
    expect(
      azureFailureReason(restError(403, 'AuthorizationFailed'), 'tag-write'),
    ).toBe('tag-write-denied');
    expect(azureFailureReason(restError(404, 'SubscriptionNotFound'))).toBe(
      'subscription-deleted',
    );
    const revoked = Object.assign(
      new Error(
        'AADSTS7000229: The client application is missing service principal in the tenant.',
      ),
      { name: 'AuthenticationRequiredError' },
    );
    expect(azureFailureReason(revoked)).toBe('consent-revoked');
  });

  it('sorts what is not lost access by its kind', () => {
    expect(azureFailureReason(restError(429, 'TooManyRequests'))).toBe(
      'throttled',
    );
    expect(azureFailureReason(restError(503, 'ServiceUnavailable'))).toBe(
      'azure-error',
    );
    expect(
      azureFailureReason(restError(400, 'InvalidApiVersionParameter')),
    ).toBe('bad-request');
    expect(azureFailureReason(restError(404, 'ResourceNotFound'))).toBe(
      'not-found',
    );
    expect(
      azureFailureReason(
        new RestError('no answer in time', { code: 'ETIMEDOUT' }),
      ),
    ).toBe('timeout');
    expect(
      azureFailureReason(
        new RestError('connect ECONNREFUSED', { code: 'ECONNREFUSED' }),
      ),
    ).toBe('network');
    expect(
      azureFailureReason(
        Object.assign(new Error('token request failed'), {
          name: 'AuthenticationError',
        }),
      ),
    ).toBe('authentication');
    expect(azureFailureReason(new Error('database is locked'))).toBe(
      'internal',
    );
    expect(azureFailureReason('a string')).toBe('internal');
  });
});

describe('azureErrorFields', () => {
  it("keeps the error's name, code and status, and nothing of its request", () => {
    const error = restError(403, 'AuthorizationFailed');
    error.request!.headers.set('authorization', 'Bearer secret-token');

    const fields = azureErrorFields(error);

    expect(fields).toEqual({
      errorName: 'RestError',
      errorCode: 'AuthorizationFailed',
      statusCode: 403,
    });
    expect(JSON.stringify(fields)).not.toContain('secret-token');
  });
});
