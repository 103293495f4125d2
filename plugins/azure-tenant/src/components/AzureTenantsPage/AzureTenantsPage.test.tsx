import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { TestApiProvider, renderInTestApp } from '@backstage/test-utils';
import { usePermission } from '@backstage/plugin-permission-react';
import { ResponseError } from '@backstage/errors';
import {
  AzureAccessStatus,
  AzureSubscription,
  AzureTenant,
  Onboarding,
  azureTenantConnectPermission,
} from '@azure-tenant/plugin-azure-tenant-common';
import { AzureTenantApi, azureTenantApiRef } from '../../api';
import { mockAzureTenantApi } from '../../__testUtils__/mockAzureTenantApi';
import { assignLocation } from '../../hooks/assignLocation';
import { AzureTenantsPage } from './AzureTenantsPage';

// usePermission caches decisions across renders (SWR), so each test sets the decisions directly.
jest.mock('@backstage/plugin-permission-react', () => ({
  ...jest.requireActual('@backstage/plugin-permission-react'),
  usePermission: jest.fn(),
}));

jest.mock('../../hooks/assignLocation', () => ({
  assignLocation: jest.fn(),
}));

const tenant: AzureTenant = {
  tenantId: 'tenant-1',
  displayName: 'Contoso',
  source: 'onboarding',
  connectedBy: 'user:default/ada',
  connectedAt: '2025-01-01T10:00:00Z',
  subscriptionCount: 2,
};

const production: AzureSubscription = {
  subscriptionId: 'sub-prod',
  tenantId: 'tenant-1',
  displayName: 'Production',
  state: 'Enabled',
  syncMode: 'read-write-tags',
  roleStatus: 'granted',
  grantedRoles: ['Reader', 'Tag Contributor'],
  source: 'onboarding',
  lastSync: { status: 'succeeded', finishedAt: '2025-01-02T10:00:00Z' },
};

const sandbox: AzureSubscription = {
  subscriptionId: 'sub-sandbox',
  tenantId: 'tenant-1',
  displayName: 'Sandbox',
  syncMode: 'no-tags',
  roleStatus: 'partial',
  grantedRoles: ['Reader'],
  source: 'onboarding',
};

function onboarding(overrides: Partial<Onboarding>): Onboarding {
  return {
    id: 'ob-1',
    kind: 'connect',
    status: 'succeeded',
    startedBy: 'user:default/ada',
    createdAt: '2025-01-03T10:00:00Z',
    results: [],
    ...overrides,
  };
}

async function errorResponse(statusCode: number, message: string) {
  return ResponseError.fromResponse(
    new Response(
      JSON.stringify({
        error: { name: 'NotAllowedError', message },
        response: { statusCode },
      }),
      { status: statusCode, headers: { 'Content-Type': 'application/json' } },
    ),
  );
}

function createApi(overrides: Partial<AzureTenantApi> = {}) {
  return mockAzureTenantApi({
    listTenants: jest.fn().mockResolvedValue([tenant]),
    listSubscriptions: jest.fn().mockResolvedValue([production, sandbox]),
    ...overrides,
  });
}

async function renderPage(options: {
  api: AzureTenantApi;
  deny?: string[];
  route?: string;
}) {
  jest.mocked(usePermission).mockImplementation(({ permission }) => ({
    loading: false,
    allowed: !options.deny?.includes(permission.name),
  }));
  return renderInTestApp(
    <TestApiProvider apis={[[azureTenantApiRef, options.api]]}>
      <AzureTenantsPage />
    </TestApiProvider>,
    { routeEntries: [options.route ?? '/azure-tenants'] },
  );
}

function rowOf(subscriptionName: string): HTMLElement {
  return screen.getByText(subscriptionName).closest('tr')!;
}

describe('AzureTenantsPage', () => {
  it('lists each tenant with its subscriptions, roles, sync modes and syncs', async () => {
    await renderPage({ api: createApi() });

    expect(await screen.findByText('Contoso')).toBeInTheDocument();
    expect(screen.getByText(/Tenant tenant-1, connected/)).toBeInTheDocument();

    const prod = rowOf('Production');
    expect(within(prod).getByText('sub-prod')).toBeInTheDocument();
    expect(within(prod).getByText('Granted')).toBeInTheDocument();
    expect(
      within(prod).getByText('Roles: Reader, Tag Contributor'),
    ).toBeInTheDocument();
    expect(
      within(prod).getByRole('button', { name: /Sync mode of Production/ }),
    ).toHaveTextContent('Read and Write Tags');
    expect(within(prod).getByText(/^Succeeded /)).toBeInTheDocument();

    const sand = rowOf('Sandbox');
    expect(within(sand).getByText('Partly granted')).toBeInTheDocument();
    expect(within(sand).getByText('Never synced')).toBeInTheDocument();
    expect(
      within(sand).getByText(/their tags will not be synchronized/),
    ).toBeInTheDocument();
  });

  it('shows why the tenants could not be loaded', async () => {
    const api = createApi({
      listTenants: jest
        .fn()
        .mockRejectedValue(await errorResponse(403, 'Not allowed to read')),
    });
    await renderPage({ api });

    expect(
      await screen.findByText('Not allowed to read', { selector: 'p' }),
    ).toBeInTheDocument();
  });

  describe('connecting a tenant', () => {
    const assign = jest.mocked(assignLocation);

    beforeEach(() => {
      assign.mockReset();
    });

    it('starts an onboarding and sends the browser to Microsoft', async () => {
      const api = createApi({
        startOnboarding: jest.fn().mockResolvedValue({
          onboardingId: 'ob-1',
          authorizeUrl: 'https://login.example/authorize?state=1',
          expiresAt: '2025-01-03T10:10:00Z',
        }),
      });
      await renderPage({ api });

      await userEvent.click(
        await screen.findByRole('button', { name: 'Connect Azure tenant' }),
      );

      expect(api.startOnboarding).toHaveBeenCalledWith('connect');
      await waitFor(() =>
        expect(assign).toHaveBeenCalledWith(
          'https://login.example/authorize?state=1',
        ),
      );
    });

    it('adds more subscriptions once a tenant is connected', async () => {
      const api = createApi({
        startOnboarding: jest.fn().mockResolvedValue({
          onboardingId: 'ob-2',
          authorizeUrl: 'https://login.example/authorize?state=2',
          expiresAt: '2025-01-03T10:10:00Z',
        }),
      });
      await renderPage({ api });

      await userEvent.click(
        await screen.findByRole('button', { name: 'Add more subscriptions' }),
      );

      expect(api.startOnboarding).toHaveBeenCalledWith('add-subscriptions');
      await waitFor(() => expect(assign).toHaveBeenCalled());
    });

    it('offers no Add more subscriptions before any tenant is connected', async () => {
      const api = createApi({
        listTenants: jest.fn().mockResolvedValue([]),
        listSubscriptions: jest.fn().mockResolvedValue([]),
      });
      await renderPage({ api });

      expect(
        await screen.findByText(/No Azure tenant is connected yet/),
      ).toBeInTheDocument();
      expect(
        screen.queryByRole('button', { name: 'Add more subscriptions' }),
      ).not.toBeInTheDocument();
    });

    it('shows why an onboarding could not start and stays on the page', async () => {
      const api = createApi({
        startOnboarding: jest
          .fn()
          .mockRejectedValue(
            await errorResponse(403, 'You may not connect tenants'),
          ),
      });
      await renderPage({ api });

      await userEvent.click(
        await screen.findByRole('button', { name: 'Connect Azure tenant' }),
      );

      expect(await screen.findByRole('alert')).toHaveTextContent(
        'Could not start connecting: You may not connect tenants',
      );
      expect(assign).not.toHaveBeenCalled();
      expect(
        screen.getByRole('button', { name: 'Connect Azure tenant' }),
      ).toBeEnabled();
    });

    it('disables connecting, and says why, without the connect permission', async () => {
      const api = createApi();
      await renderPage({ api, deny: [azureTenantConnectPermission.name] });

      await screen.findByText('Contoso');
      expect(
        screen.getByRole('button', { name: 'Connect Azure tenant' }),
      ).toBeDisabled();
      expect(
        screen.getByRole('button', { name: 'Add more subscriptions' }),
      ).toBeDisabled();
      expect(
        screen.getByText(/You are not allowed to connect Azure tenants/),
      ).toBeInTheDocument();
    });
  });

  describe('the result of an onboarding', () => {
    afterEach(() => {
      jest.useRealTimers();
    });

    it('shows each subscription and role in plain words, with advice when the user is not an Owner', async () => {
      const api = createApi({
        getOnboarding: jest.fn().mockResolvedValue(
          onboarding({
            partnerAdminLink: 'associated',
            results: [
              {
                subscriptionId: 'sub-a',
                subscriptionName: 'Sub A',
                roleName: 'Reader',
                outcome: 'assigned',
              },
              {
                subscriptionId: 'sub-a',
                subscriptionName: 'Sub A',
                roleName: 'Tag Contributor',
                outcome: 'already-present',
              },
              {
                subscriptionId: 'sub-b',
                subscriptionName: 'Sub B',
                roleName: 'Reader',
                outcome: 'assigned',
              },
              {
                subscriptionId: 'sub-b',
                subscriptionName: 'Sub B',
                roleName: 'Tag Contributor',
                outcome: 'failed',
                reason: 'Azure answered 500',
              },
              {
                subscriptionId: 'sub-c',
                subscriptionName: 'Sub C',
                roleName: 'Reader',
                outcome: 'skipped-not-owner',
              },
              {
                subscriptionId: 'sub-c',
                subscriptionName: 'Sub C',
                roleName: 'Tag Contributor',
                outcome: 'skipped-not-owner',
              },
            ],
          }),
        ),
      });
      await renderPage({ api, route: '/azure-tenants?onboarding=ob-1' });

      const region = await screen.findByRole('region', {
        name: 'Onboarding result',
      });
      expect(api.getOnboarding).toHaveBeenCalledWith('ob-1');
      expect(
        await within(region).findByText(/1 of 3 subscriptions can be read/),
      ).toBeInTheDocument();

      const subA = within(region)
        .getByRole('heading', { name: /Sub A/ })
        .closest('li')!;
      expect(subA).toHaveTextContent('Reader assigned');
      expect(subA).toHaveTextContent('Tag Contributor was already assigned');

      const subB = within(region)
        .getByRole('heading', { name: /Sub B/ })
        .closest('li')!;
      expect(subB).toHaveTextContent(
        'Could not assign Tag Contributor: Azure answered 500',
      );

      const subC = within(region)
        .getByRole('heading', { name: /Sub C/ })
        .closest('li')!;
      expect(subC).toHaveTextContent(
        'You are not an Owner of Sub C: ask an Owner to connect it, or assign the roles yourself',
      );

      expect(
        within(region).getByText(/Partner Admin Link: .* now associated/),
      ).toBeInTheDocument();
    });

    it('polls while the onboarding runs, stops when it is done, and then reloads the subscriptions', async () => {
      jest.useFakeTimers({ advanceTimers: true });
      const getOnboarding = jest
        .fn()
        .mockResolvedValueOnce(onboarding({ status: 'pending' }))
        .mockResolvedValueOnce(onboarding({ status: 'running' }))
        .mockResolvedValue(
          onboarding({
            status: 'succeeded',
            results: [
              {
                subscriptionId: 'sub-a',
                subscriptionName: 'Sub A',
                roleName: 'Reader',
                outcome: 'assigned',
              },
            ],
          }),
        );
      const api = createApi({ getOnboarding });
      await renderPage({ api, route: '/azure-tenants?onboarding=ob-1' });

      expect(
        await screen.findByText(
          'Waiting for you to finish signing in at Microsoft…',
        ),
      ).toBeInTheDocument();
      expect(getOnboarding).toHaveBeenCalledTimes(1);

      await act(() => jest.advanceTimersByTimeAsync(1500));
      expect(await screen.findByText('Assigning roles…')).toBeInTheDocument();
      expect(getOnboarding).toHaveBeenCalledTimes(2);

      await act(() => jest.advanceTimersByTimeAsync(1500));
      expect(await screen.findByText('Reader assigned')).toBeInTheDocument();
      expect(screen.queryByText('Assigning roles…')).not.toBeInTheDocument();
      expect(getOnboarding).toHaveBeenCalledTimes(3);

      await act(() => jest.advanceTimersByTimeAsync(10_000));
      expect(getOnboarding).toHaveBeenCalledTimes(3);
      // Once on load, once after the onboarding ended.
      expect(api.listSubscriptions).toHaveBeenCalledTimes(2);
    });

    it('shows why an onboarding failed', async () => {
      const api = createApi({
        getOnboarding: jest.fn().mockResolvedValue(
          onboarding({
            status: 'failed',
            error: 'The administrator declined consent.',
          }),
        ),
      });
      await renderPage({ api, route: '/azure-tenants?onboarding=ob-1' });

      expect(
        await screen.findByText(/Connecting the tenant failed/),
      ).toBeInTheDocument();
      expect(
        screen.getByText(/The administrator declined consent\./),
      ).toBeInTheDocument();
    });

    it('says when the sign-in expired', async () => {
      const api = createApi({
        getOnboarding: jest
          .fn()
          .mockResolvedValue(onboarding({ status: 'expired' })),
      });
      await renderPage({ api, route: '/azure-tenants?onboarding=ob-1' });

      expect(
        await screen.findByText(/The sign-in at Microsoft expired/),
      ).toBeInTheDocument();
    });

    it('shows a failed read of the onboarding and retries on request', async () => {
      const getOnboarding = jest
        .fn()
        .mockRejectedValueOnce(await errorResponse(404, 'No such onboarding'))
        .mockResolvedValue(onboarding({ status: 'running' }));
      const api = createApi({ getOnboarding });
      await renderPage({ api, route: '/azure-tenants?onboarding=ob-1' });

      expect(
        await screen.findByText(
          'Could not read the onboarding: No such onboarding',
        ),
      ).toBeInTheDocument();
      await userEvent.click(screen.getByRole('button', { name: 'Retry' }));
      expect(await screen.findByText('Assigning roles…')).toBeInTheDocument();
    });
  });

  describe('sync mode', () => {
    it('saves a new sync mode', async () => {
      const api = createApi({
        setSyncMode: jest
          .fn()
          .mockResolvedValue({ ...production, syncMode: 'read-tags' }),
      });
      await renderPage({ api });

      const select = await screen.findByRole('button', {
        name: /Sync mode of Production/,
      });
      await userEvent.click(select);
      const option = await screen.findByRole('option', {
        name: /Read Tags Only/,
      });
      expect(option).toHaveTextContent(
        'Any changes to Tags in the portal will not be written back to Azure.',
      );
      await userEvent.click(option);

      expect(api.setSyncMode).toHaveBeenCalledWith('sub-prod', 'read-tags');
      // The table renders its cells anew, so the select is looked up again.
      await waitFor(() =>
        expect(
          screen.getByRole('button', { name: /Sync mode of Production/ }),
        ).toHaveTextContent('Read Tags Only'),
      );
      expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    });

    it('reverts the select and shows the error when the change fails', async () => {
      const api = createApi({
        setSyncMode: jest
          .fn()
          .mockRejectedValue(
            await errorResponse(403, 'You may not manage subscriptions'),
          ),
      });
      await renderPage({ api });

      const select = await screen.findByRole('button', {
        name: /Sync mode of Production/,
      });
      await userEvent.click(select);
      await userEvent.click(
        await screen.findByRole('option', { name: /No Resources/ }),
      );

      expect(await screen.findByRole('alert')).toHaveTextContent(
        'Could not change the sync mode: You may not manage subscriptions',
      );
      expect(
        screen.getByRole('button', { name: /Sync mode of Production/ }),
      ).toHaveTextContent('Read and Write Tags');
    });

    it('is read-only without the manage permission', async () => {
      await renderPage({
        api: createApi(),
        deny: ['azure-tenant.subscription.manage'],
      });

      const prod = (await screen.findByText('Production')).closest('tr')!;
      expect(
        within(prod).queryByRole('button', { name: /Sync mode of/ }),
      ).not.toBeInTheDocument();
      expect(within(prod).getByText('Read and Write Tags')).toBeInTheDocument();
    });
  });

  describe('Sync now', () => {
    it('requests a sync and shows that it was requested', async () => {
      const api = createApi({
        requestSync: jest.fn().mockResolvedValue({
          subscriptionId: 'sub-sandbox',
          syncRequestedAt: '2025-01-03T12:00:00Z',
        }),
      });
      await renderPage({ api });

      await screen.findByText('Sandbox');
      await userEvent.click(
        within(rowOf('Sandbox')).getByRole('button', { name: 'Sync now' }),
      );

      expect(api.requestSync).toHaveBeenCalledWith('sub-sandbox');
      expect(
        await within(rowOf('Sandbox')).findByText(/^Sync requested at /),
      ).toBeInTheDocument();
    });

    it('shows why a sync could not be requested', async () => {
      const api = createApi({
        requestSync: jest
          .fn()
          .mockRejectedValue(await errorResponse(503, 'Sync is paused')),
      });
      await renderPage({ api });

      await screen.findByText('Sandbox');
      await userEvent.click(
        within(rowOf('Sandbox')).getByRole('button', { name: 'Sync now' }),
      );

      expect(await screen.findByRole('alert')).toHaveTextContent(
        'Could not request a sync: Sync is paused',
      );
    });

    it('is disabled without the sync permission', async () => {
      await renderPage({
        api: createApi(),
        deny: ['azure-tenant.subscription.sync'],
      });

      await screen.findByText('Sandbox');
      expect(
        within(rowOf('Sandbox')).getByRole('button', { name: 'Sync now' }),
      ).toBeDisabled();
    });
  });

  describe('lost access', () => {
    const assign = jest.mocked(assignLocation);
    const HOUR = 3600_000;
    const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
    const later = (ms: number) => new Date(Date.now() + ms).toISOString();

    function access(
      overrides: Partial<AzureAccessStatus> &
        Pick<AzureAccessStatus, 'problem' | 'action'>,
    ): AzureAccessStatus {
      return {
        message: 'A sentence from the backend.',
        since: ago(3 * 24 * HOUR),
        checkedAt: ago(5 * 60_000),
        nextAttemptAt: later(2 * HOUR),
        ...overrides,
      };
    }

    function startedOnboarding() {
      return jest.fn().mockResolvedValue({
        onboardingId: 'ob-9',
        authorizeUrl: 'https://login.example/authorize?state=9',
        expiresAt: '2025-01-03T10:10:00Z',
      });
    }

    beforeEach(() => {
      assign.mockReset();
    });

    it('shows a tenant whose consent was revoked, since when, the next try, and reconnects it', async () => {
      const revoked = access({
        problem: 'consent-revoked',
        action: 'reconnect',
        message:
          "Microsoft Entra ID refused the portal's credentials in tenant tenant-1 (AADSTS7000229).",
      });
      const api = createApi({
        listTenants: jest
          .fn()
          .mockResolvedValue([{ ...tenant, access: revoked }]),
        listSubscriptions: jest.fn().mockResolvedValue([
          {
            ...production,
            access: revoked,
            lastSuccessfulSyncAt: '2025-01-02T10:00:00Z',
          },
        ]),
        startOnboarding: startedOnboarding(),
      });
      await renderPage({ api });

      const section = await screen.findByRole('region', {
        name: 'Tenant Contoso',
      });
      const panel = within(section).getAllByRole('alert')[0];
      expect(panel).toHaveTextContent(
        'Error: Tenant Contoso: The portal can no longer sign in to this tenant',
      );
      expect(panel).toHaveTextContent(
        "Microsoft Entra ID refused the portal's credentials in tenant tenant-1 (AADSTS7000229).",
      );
      expect(panel).toHaveTextContent(
        /Since 3 days ago \(.+\); last checked 5 minutes ago\./,
      );
      expect(panel).toHaveTextContent(/Next try in 2 hours \(.+\)\./);
      expect(panel).toHaveTextContent(/grants admin consent again/);

      // The row says what happened, without repeating what to do, and keeps the last good sync in view.
      const row = rowOf('Production');
      expect(
        within(row).getByText(
          'The portal can no longer sign in to this tenant',
        ),
      ).toBeInTheDocument();
      expect(within(row).queryByText(/^What to do/)).not.toBeInTheDocument();
      expect(
        within(row).getByText(
          /^Last successful sync .+: the catalog keeps that state until access is back\.$/,
        ),
      ).toBeInTheDocument();
      expect(
        within(row).queryByRole('button', { name: /Reconnect/ }),
      ).not.toBeInTheDocument();

      await userEvent.click(
        within(panel).getByRole('button', { name: 'Reconnect tenant Contoso' }),
      );
      expect(api.startOnboarding).toHaveBeenCalledWith('connect', {
        tenantId: 'tenant-1',
      });
      await waitFor(() =>
        expect(assign).toHaveBeenCalledWith(
          'https://login.example/authorize?state=9',
        ),
      );
      expect(
        within(panel).getByRole('button', {
          name: 'Redirecting to Microsoft…',
        }),
      ).toBeDisabled();
    });

    it('shows why Reconnect could not start', async () => {
      const api = createApi({
        listTenants: jest.fn().mockResolvedValue([
          {
            ...tenant,
            access: access({ problem: 'consent-revoked', action: 'reconnect' }),
          },
        ]),
        startOnboarding: jest
          .fn()
          .mockRejectedValue(
            await errorResponse(503, 'The portal is not configured'),
          ),
      });
      await renderPage({ api });

      await userEvent.click(
        await screen.findByRole('button', { name: 'Reconnect tenant Contoso' }),
      );

      expect(
        await screen.findByText(
          'Could not start signing in: The portal is not configured',
        ),
      ).toBeInTheDocument();
      expect(assign).not.toHaveBeenCalled();
    });

    it('disables Reconnect, and says why, without the connect permission', async () => {
      const api = createApi({
        listTenants: jest.fn().mockResolvedValue([
          {
            ...tenant,
            access: access({ problem: 'consent-revoked', action: 'reconnect' }),
          },
        ]),
      });
      await renderPage({ api, deny: [azureTenantConnectPermission.name] });

      expect(
        await screen.findByRole('button', { name: 'Reconnect tenant Contoso' }),
      ).toBeDisabled();
    });

    it.each([
      {
        problem: 'read-denied',
        action: 'reconnect',
        title: 'The portal can no longer read this subscription',
        remedy: /Reconnect the tenant: an Owner of the subscription signs in/,
        reconnect: true,
      },
      {
        problem: 'tag-write-denied',
        action: 'reconnect',
        title: 'The portal can no longer write tags to Azure',
        remedy: /assigns its missing roles again/,
        reconnect: true,
      },
      {
        problem: 'subscription-disabled',
        action: 'enable-subscription',
        title: 'The subscription is disabled in Azure',
        remedy: /open Subscriptions and reactivate this subscription/,
        reconnect: false,
      },
      {
        problem: 'subscription-warned',
        action: 'none',
        title: 'Azure has put the subscription in the Warned state',
        remedy: /settle what Azure warns about/,
        reconnect: false,
      },
      {
        problem: 'subscription-deleted',
        action: 'none',
        title: 'The subscription was deleted in Azure',
        remedy: /restore it in Azure/,
        reconnect: false,
      },
      {
        problem: 'subscription-moved',
        action: 'none',
        title: 'The subscription was moved to another tenant',
        remedy: /Connect the tenant the subscription now belongs to/,
        reconnect: false,
      },
    ] as const)(
      'shows a subscription in state $problem with what to do',
      async ({ problem, action, title, remedy, reconnect }) => {
        const api = createApi({
          listSubscriptions: jest.fn().mockResolvedValue([
            production,
            {
              ...sandbox,
              access: access({
                problem,
                action,
                message: `Backend sentence for ${problem}.`,
              }),
            },
          ]),
          startOnboarding: startedOnboarding(),
        });
        await renderPage({ api });

        const row = await waitFor(() => rowOf('Sandbox'));
        expect(within(row).getByText(title)).toBeInTheDocument();
        expect(
          within(row).getByText(`Backend sentence for ${problem}.`),
        ).toBeInTheDocument();
        expect(within(row).getByText(/^Since 3 days ago/)).toBeInTheDocument();
        expect(
          within(row).getByText(/^Next try in 2 hours/),
        ).toBeInTheDocument();
        expect(within(row).getByText(/^What to do:/)).toHaveTextContent(remedy);
        // The healthy subscription beside it says so.
        expect(
          within(rowOf('Production')).getByText('Has access'),
        ).toBeInTheDocument();

        // Reconnect where the portal can fix it; the others are done in Azure.
        expect(
          within(row).queryByRole('button', { name: 'Reconnect Sandbox' }) !==
            null,
        ).toBe(reconnect);
      },
    );

    it("reconnects a subscription's tenant from its row", async () => {
      const api = createApi({
        listSubscriptions: jest.fn().mockResolvedValue([
          {
            ...sandbox,
            access: access({ problem: 'read-denied', action: 'reconnect' }),
          },
        ]),
        startOnboarding: startedOnboarding(),
      });
      await renderPage({ api });

      await userEvent.click(
        await screen.findByRole('button', { name: 'Reconnect Sandbox' }),
      );

      expect(api.startOnboarding).toHaveBeenCalledWith('connect', {
        tenantId: 'tenant-1',
      });
      await waitFor(() =>
        expect(assign).toHaveBeenCalledWith(
          'https://login.example/authorize?state=9',
        ),
      );
    });

    it('says the next try comes with the next sync once its time has passed', async () => {
      const api = createApi({
        listSubscriptions: jest.fn().mockResolvedValue([
          {
            ...sandbox,
            access: access({
              problem: 'read-denied',
              action: 'reconnect',
              nextAttemptAt: ago(60_000),
            }),
          },
        ]),
      });
      await renderPage({ api });

      const row = await waitFor(() => rowOf('Sandbox'));
      expect(
        within(row).getByText('Next try: with the next scheduled sync.'),
      ).toBeInTheDocument();
    });

    it('lists the subscriptions the portal could add, and adds them', async () => {
      const api = createApi({
        listTenants: jest.fn().mockResolvedValue([
          {
            ...tenant,
            unregisteredSubscriptions: [
              { subscriptionId: 'sub-new-1', displayName: 'Analytics' },
              { subscriptionId: 'sub-new-2', displayName: 'Staging' },
            ],
          },
        ]),
        startOnboarding: startedOnboarding(),
      });
      await renderPage({ api });

      const panel = await screen.findByText(
        'Info: 2 subscriptions of tenant Contoso not in the portal yet',
      );
      expect(panel).toBeInTheDocument();
      const list = screen.getByRole('list', {
        name: 'Subscriptions of tenant Contoso not in the portal',
      });
      expect(
        within(list)
          .getAllByRole('listitem')
          .map(item => item.textContent),
      ).toEqual(['Analyticssub-new-1', 'Stagingsub-new-2']);

      await userEvent.click(
        screen.getByRole('button', {
          name: 'Add subscriptions of tenant Contoso',
        }),
      );
      expect(api.startOnboarding).toHaveBeenCalledWith('add-subscriptions', {
        tenantId: 'tenant-1',
      });
      await waitFor(() => expect(assign).toHaveBeenCalled());
    });

    it('shows no access panels for a tenant with access and nothing to add', async () => {
      await renderPage({
        api: createApi({
          listTenants: jest
            .fn()
            .mockResolvedValue([{ ...tenant, unregisteredSubscriptions: [] }]),
        }),
      });

      await screen.findByText('Contoso');
      expect(screen.queryByRole('alert')).not.toBeInTheDocument();
      expect(
        screen.queryByRole('button', {
          name: /Reconnect|Add subscriptions of/,
        }),
      ).not.toBeInTheDocument();
    });
  });
});
