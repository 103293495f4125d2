import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { TestApiProvider, renderInTestApp } from '@backstage/test-utils';
import { AzureSubscription } from '@azure-tenant/plugin-azure-tenant-common';
import { AzureTenantApi, azureTenantApiRef } from '../../api';
import { mockAzureTenantApi } from '../../__testUtils__/mockAzureTenantApi';
import { responseError } from '../../__testUtils__/budgetFixtures';
import {
  DEV_SUBSCRIPTION,
  LEGACY_SUBSCRIPTION,
  PROD_SUBSCRIPTION,
  tagFixJob,
  tagFixPreview,
  tagPolicy,
} from '../../__testUtils__/tagGovernanceFixtures';
import { TagFixesPanel } from './TagFixesPanel';

function subscription(
  subscriptionId: string,
  displayName: string,
): AzureSubscription {
  return {
    subscriptionId,
    displayName,
    tenantId: 'tenant-1',
    syncMode: 'read-write-tags',
    roleStatus: 'granted',
    grantedRoles: ['Reader'],
    source: 'onboarding',
  } as AzureSubscription;
}

function createApi(overrides: Partial<AzureTenantApi> = {}) {
  return mockAzureTenantApi({
    listSubscriptions: jest
      .fn()
      .mockResolvedValue([
        subscription(PROD_SUBSCRIPTION, 'Production'),
        subscription(DEV_SUBSCRIPTION, 'Development'),
        subscription(LEGACY_SUBSCRIPTION, 'Legacy'),
      ]),
    previewTagFixes: jest.fn().mockResolvedValue(tagFixPreview()),
    ...overrides,
  });
}

const onFinished = jest.fn();

async function renderPanel(api: AzureTenantApi) {
  await renderInTestApp(
    <TestApiProvider apis={[[azureTenantApiRef, api]]}>
      <TagFixesPanel
        policies={[tagPolicy()]}
        onFinished={onFinished}
        // Read often, so that the job's progress is followed within the test's waits.
        pollMs={20}
      />
    </TestApiProvider>,
  );
}

/** Picks an option of one of the panel's multiple selects. */
async function pick(label: string, option: string) {
  fireEvent.mouseDown(screen.getByLabelText(label));
  await userEvent.click(await screen.findByRole('option', { name: option }));
  await userEvent.keyboard('{Escape}');
}

/** A row of the preview's subscriptions table (the first) or its changes table (the second). */
function rowOf(text: string, table: 'subscriptions' | 'changes'): HTMLElement {
  const tables = screen.getAllByRole('table');
  const row = within(tables[table === 'subscriptions' ? 0 : 1])
    .getByText(text)
    .closest('tr');
  if (!row) throw new Error(`No row for ${text}`);
  return row;
}

describe('TagFixesPanel', () => {
  beforeEach(() => onFinished.mockReset());

  it('starts from the subscription and owner a link names, and previews with them until the owner is removed', async () => {
    const api = createApi();
    await renderInTestApp(
      <TestApiProvider apis={[[azureTenantApiRef, api]]}>
        <TagFixesPanel
          policies={[tagPolicy()]}
          initialSelection={{
            subscriptionIds: [PROD_SUBSCRIPTION],
            ownerRef: 'group:default/platform',
          }}
        />
      </TestApiProvider>,
    );
    await userEvent.click(screen.getByRole('button', { name: /preview/i }));
    await waitFor(() =>
      expect(api.previewTagFixes).toHaveBeenCalledWith({
        subscriptionIds: [PROD_SUBSCRIPTION],
        ownerRef: 'group:default/platform',
      }),
    );
    const chip = screen.getByText('Owner: group:default/platform');
    // The chip's delete icon, as a user removes the owner.
    await userEvent.click(
      chip.parentElement!.querySelector('.MuiChip-deleteIcon') as Element,
    );
    expect(screen.queryByText('Owner: group:default/platform')).toBeNull();
  });

  it('previews the fixes of the picked subscriptions, policies and kinds: counts, outcomes and changes', async () => {
    const api = createApi();
    await renderPanel(api);
    await waitFor(() => expect(api.listSubscriptions).toHaveBeenCalled());

    await pick('Subscriptions', 'Production');
    await pick('Policies', 'Owner is a catalog team');
    await pick('Fixes', 'Canonical key spelling');
    await userEvent.click(screen.getByRole('button', { name: 'Preview' }));

    expect(api.previewTagFixes).toHaveBeenCalledWith({
      subscriptionIds: [PROD_SUBSCRIPTION],
      policyIds: ['p-1'],
      kinds: ['canonical-key'],
    });
    expect(
      await screen.findByText('5 resources would change'),
    ).toBeInTheDocument();
    expect(screen.getByText('Canonical key spelling: 3')).toBeInTheDocument();
    expect(
      screen.getByText("Owner from the resource group's tag: 2"),
    ).toBeInTheDocument();

    expect(
      within(rowOf('Production', 'subscriptions')).getByText(
        'Written to Azure',
      ),
    ).toBeInTheDocument();
    expect(
      within(rowOf('Development', 'subscriptions')).getByText(
        'Portal-only tags',
      ),
    ).toBeInTheDocument();
    const legacy = rowOf('Legacy', 'subscriptions');
    expect(within(legacy).getByText('Forbidden')).toBeInTheDocument();
    expect(
      within(legacy).getByText('The sync mode no-tags keeps no tags'),
    ).toBeInTheDocument();

    const change = rowOf('web-shop', 'changes');
    expect(
      within(change).getByText('owner = platform; remove Owner'),
    ).toBeInTheDocument();
    expect(
      within(change).getByText("The tag 'Owner' should be spelled 'owner'."),
    ).toBeInTheDocument();
    expect(
      within(rowOf('webassets', 'changes')).getByText(
        'The resource group rg-web has owner=platform.',
      ),
    ).toBeInTheDocument();
  });

  it('applies after a confirmation naming what is written where, and follows the job until it is done', async () => {
    const api = createApi({
      applyTagFixes: jest
        .fn()
        .mockResolvedValue(tagFixJob({ state: 'pending' })),
      getTagFixJob: jest
        .fn()
        .mockResolvedValueOnce(tagFixJob({ applied: 1 }))
        .mockResolvedValue(
          tagFixJob({
            state: 'done',
            applied: 2,
            skipped: 1,
            failed: 1,
            failures: [
              {
                resourceId: `/subscriptions/${PROD_SUBSCRIPTION}/resourceGroups/rg-web/providers/Microsoft.Web/sites/web-shop`,
                message: 'Azure refused the change: the resource is locked',
              },
            ],
          }),
        ),
    });
    await renderPanel(api);
    await userEvent.click(screen.getByRole('button', { name: 'Preview' }));
    await screen.findByText('5 resources would change');

    await userEvent.click(screen.getByRole('button', { name: 'Apply…' }));
    const dialog = await screen.findByRole('dialog', {
      name: 'Apply tag fixes',
    });
    expect(
      within(dialog).getByText(
        '3 resources in Production will be written to Azure.',
      ),
    ).toBeInTheDocument();
    expect(
      within(dialog).getByText(
        /1 resource in Development will get portal-only tags/,
      ),
    ).toBeInTheDocument();
    expect(
      within(dialog).getByText(/1 resource in Legacy will be skipped/),
    ).toBeInTheDocument();
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Apply' }),
    );

    expect(api.applyTagFixes).toHaveBeenCalledWith({});
    expect(
      await screen.findByText('Done: 4 of 4 resources'),
    ).toBeInTheDocument();
    expect(
      screen.getByText('Applied 2, skipped 1, failed 1'),
    ).toBeInTheDocument();
    expect(
      within(screen.getByRole('list', { name: 'Failures' })).getByText(
        /the resource is locked/,
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('progressbar', { name: 'Progress of the fixes' }),
    ).toHaveAttribute('aria-valuenow', '100');
    expect(onFinished).toHaveBeenCalledTimes(1);
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
  });

  it("shows the backend's refusal of a preview and of an apply", async () => {
    const api = createApi({
      previewTagFixes: jest
        .fn()
        .mockRejectedValueOnce(
          await responseError(400, 'InputError', "Unknown policy 'p-404'"),
        )
        .mockResolvedValue(tagFixPreview()),
      applyTagFixes: jest
        .fn()
        .mockRejectedValue(
          await responseError(
            403,
            'NotAllowedError',
            'You may not edit tags in Production',
          ),
        ),
    });
    await renderPanel(api);

    await userEvent.click(screen.getByRole('button', { name: 'Preview' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      "Could not preview the fixes: Unknown policy 'p-404'",
    );
    expect(screen.getByRole('button', { name: 'Apply…' })).toBeDisabled();

    await userEvent.click(screen.getByRole('button', { name: 'Preview' }));
    await screen.findByText('5 resources would change');
    await userEvent.click(screen.getByRole('button', { name: 'Apply…' }));
    const dialog = await screen.findByRole('dialog', {
      name: 'Apply tag fixes',
    });
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Apply' }),
    );
    expect(await within(dialog).findByRole('alert')).toHaveTextContent(
      'Could not start the fixes: You may not edit tags in Production',
    );
    expect(api.getTagFixJob).not.toHaveBeenCalled();
  });

  it('says so when nothing matches the selection, and applies nothing', async () => {
    const api = createApi({
      previewTagFixes: jest.fn().mockResolvedValue(
        tagFixPreview({
          resources: 0,
          byKind: {},
          subscriptions: [],
          sample: [],
        }),
      ),
    });
    await renderPanel(api);

    await userEvent.click(screen.getByRole('button', { name: 'Preview' }));
    expect(
      await screen.findByText(
        'Nothing to fix: no suggested fix matches this selection.',
      ),
    ).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Apply…' })).toBeDisabled();
  });
});
