import {
  AzureTenantConfigError,
  isAzureTenantConfigError,
} from './configError';

describe('AzureTenantConfigError', () => {
  it('names the key and what is wrong, and keeps the cause', () => {
    const cause = new Error("'often' is not a valid duration");
    const error = new AzureTenantConfigError(
      'azureTenant.sync.frequency',
      'must be a duration',
      cause,
    );
    expect(error.message).toBe(
      "Invalid config: azureTenant.sync.frequency must be a duration ('often' is not a valid duration)",
    );
    expect(error.key).toBe('azureTenant.sync.frequency');
    expect(error.cause).toBe(cause);
    expect(isAzureTenantConfigError(error)).toBe(true);
    expect(isAzureTenantConfigError(new Error('x'))).toBe(false);
  });
});
