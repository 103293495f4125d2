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

/**
 * The demo tenant's subscriptions in fixtures/demo.json (built by scripts/buildDemoFixture.ts), for tests and
 * examples that name them.
 *
 * @public
 */
export const DEMO_SUBSCRIPTIONS: Readonly<
  Record<'platform' | 'payments' | 'dataEurope', string>
> = {
  /** Contoso Platform Production: 80 resources; the demo user is Owner, so onboarding registers it. */
  platform: '3f8c2a41-6d7e-4b59-9c1a-2e5f7d8b9a01',
  /** Contoso Payments: 70 resources; the demo user is Owner, so onboarding registers it. */
  payments: '8d4e1b72-5a3c-4f6e-b2d9-7c1e3a5f9b02',
  /** Contoso Data Europe: 50 resources; the demo user is only Reader, so onboarding skips it. */
  dataEurope: 'c5a7e3d9-1f2b-4c8a-9e6d-4b3a2c1d0e03',
};
