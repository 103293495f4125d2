import { describeAzureError } from './describeAzureError';

describe('describeAzureError', () => {
  it("puts Azure's code before the message, once", () => {
    const error = Object.assign(new Error('The client has no access.'), {
      code: 'AuthorizationFailed',
      request: { headers: { authorization: 'Bearer secret' } },
    });
    expect(describeAzureError(error)).toBe(
      'AuthorizationFailed: The client has no access.',
    );
    expect(
      describeAzureError(
        Object.assign(new Error('AuthorizationFailed: no access'), {
          code: 'AuthorizationFailed',
        }),
      ),
    ).toBe('AuthorizationFailed: no access');
  });

  it('keeps only the message of an error without a textual code, and describes a non-error', () => {
    expect(
      describeAzureError(Object.assign(new Error('reset'), { code: 104 })),
    ).toBe('reset');
    expect(describeAzureError('timeout')).toBe('timeout');
  });
});
