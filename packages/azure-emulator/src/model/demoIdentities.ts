import { FixtureApp, FixtureTenant, FixtureUser } from './fixture';

/** The demo tenant's fixed ids, referenced by the demo portal's config. */
export const DEMO_TENANT: Omit<FixtureTenant, 'users'> = {
  id: '7f3a1c52-9a8e-4c1b-8f0e-2d6b5a9c4e11',
  displayName: 'Contoso Demo',
};

/** The demo user, who owns two demo subscriptions and reads the third. */
export const DEMO_USER: FixtureUser = {
  oid: '0b8f6a2e-3c4d-4e5f-9a6b-7c8d9e0f1a2b',
  userPrincipalName: 'demo@contoso.example',
  displayName: 'Demo Admin',
};

/** The portal's multi-tenant app registration. The secret is fake. */
export const DEMO_APP: FixtureApp = {
  clientId: '5c2d9e4f-1b3a-4c6d-8e7f-9a0b1c2d3e4f',
  clientSecret: 'demo-emulator-secret',
  redirectUris: ['http://localhost:7007/api/azure-tenant/onboarding/callback'],
  displayName: 'Backstage Azure Tenant (demo)',
};
