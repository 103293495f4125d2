import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { TestApiProvider, renderInTestApp } from '@backstage/test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { Entity } from '@backstage/catalog-model';
import { AzureTenantApi, azureTenantApiRef } from '../../api';
import { mockAzureTenantApi } from '../../__testUtils__/mockAzureTenantApi';
import { TagsCard } from './TagsCard';

const resourceId =
  '/subscriptions/sub-1/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm-1';

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: {
    name: 'vm-1',
    annotations: { 'management.azure.com/resourceId': resourceId },
  },
  spec: {
    type: 'azure-virtualmachines',
    owner: 'group:default/team-a',
    azure: { resourceId, tags: { env: 'dev' }, portalTags: { cost: '7' } },
  },
};

async function renderCard(api: AzureTenantApi) {
  await renderInTestApp(
    <TestApiProvider apis={[[azureTenantApiRef, api]]}>
      <EntityProvider entity={entity}>
        <TagsCard />
      </EntityProvider>
    </TestApiProvider>,
  );
}

describe('TagsCard', () => {
  it("shows Azure's tags and the portal-only ones apart", async () => {
    await renderCard(mockAzureTenantApi());

    const azure = await screen.findByRole('region', { name: 'Azure tags' });
    expect(
      within(azure).getByRole('listitem', { name: 'env: dev' }),
    ).toBeInTheDocument();
    const portal = screen.getByRole('region', { name: 'Portal-only tags' });
    expect(
      within(portal).getByRole('listitem', { name: 'cost: 7, portal only' }),
    ).toBeInTheDocument();
  });

  it('edits the tags and shows what was written', async () => {
    const api = mockAzureTenantApi({
      getTags: jest.fn().mockResolvedValue({
        resourceId,
        subscriptionId: 'sub-1',
        syncMode: 'read-write-tags',
        tags: { env: 'dev' },
        portalTags: {},
        revision: 1,
        canEdit: true,
      }),
      updateTags: jest.fn().mockResolvedValue({
        resourceId,
        syncMode: 'read-write-tags',
        outcome: 'written',
        before: { env: 'dev' },
        tags: { env: 'dev', owner: 'ada' },
        portalTags: {},
        revision: 2,
      }),
    });
    await renderCard(api);

    await userEvent.click(screen.getByRole('button', { name: 'Edit tags' }));
    await userEvent.click(
      await screen.findByRole('button', { name: 'Add tag' }),
    );
    await userEvent.type(
      screen.getByRole('textbox', { name: 'Tag name' }),
      'owner',
    );
    await userEvent.type(
      screen.getByRole('textbox', { name: 'Tag value' }),
      'ada',
    );
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));

    expect(
      await screen.findByRole('listitem', { name: 'owner: ada' }),
    ).toBeInTheDocument();
    expect(screen.getByRole('status')).toHaveTextContent('Saved to Azure.');
    expect(api.updateTags).toHaveBeenCalledWith({
      resourceId,
      set: { owner: 'ada' },
      expected: { owner: null },
    });
  });

  it("says the catalog's tags may be stale while the portal has lost access", async () => {
    const since = new Date(Date.now() - 3 * 24 * 3600_000).toISOString();
    const api = mockAzureTenantApi({
      getTags: jest.fn().mockResolvedValue({
        resourceId,
        subscriptionId: 'sub-1',
        syncMode: 'read-write-tags',
        tags: { env: 'dev' },
        portalTags: {},
        revision: 1,
        canEdit: false,
        staleness: {
          access: {
            problem: 'subscription-disabled',
            message: 'Azure reports subscription sub-1 as Disabled.',
            since,
            checkedAt: since,
            action: 'enable-subscription',
          },
          lastSuccessfulSyncAt: since,
        },
      }),
    });
    await renderCard(api);

    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Warning: The tags shown may be out of date: the portal lost access 3 days ago',
    );
    expect(api.getTags).toHaveBeenCalledWith(resourceId);
    expect(
      within(screen.getByRole('region', { name: 'Azure tags' })).getByRole(
        'listitem',
        { name: 'env: dev' },
      ),
    ).toBeInTheDocument();
  });

  it('shows no warning while the tags are current', async () => {
    const api = mockAzureTenantApi({
      getTags: jest.fn().mockResolvedValue({
        resourceId,
        subscriptionId: 'sub-1',
        syncMode: 'read-write-tags',
        tags: { env: 'dev' },
        portalTags: {},
        revision: 1,
        canEdit: true,
      }),
    });
    await renderCard(api);

    await waitFor(() => expect(api.getTags).toHaveBeenCalled());
    await screen.findByRole('region', { name: 'Azure tags' });
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });
});
