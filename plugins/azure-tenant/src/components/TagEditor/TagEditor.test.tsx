import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { TestApiProvider, renderInTestApp } from '@backstage/test-utils';
import { ResponseError } from '@backstage/errors';
import {
  ResourceTags,
  TagUpdateResult,
} from '@azure-tenant/plugin-azure-tenant-common';
import { AzureTenantApi, azureTenantApiRef } from '../../api';
import { mockAzureTenantApi } from '../../__testUtils__/mockAzureTenantApi';
import { tagResponseError } from '../../api/tagErrors';
import { TagEditor } from './TagEditor';

const resourceId =
  '/subscriptions/sub-1/resourceGroups/rg-1/providers/Microsoft.Compute/virtualMachines/vm-1';

function resourceTags(overrides: Partial<ResourceTags> = {}): ResourceTags {
  return {
    resourceId,
    subscriptionId: 'sub-1',
    syncMode: 'read-write-tags',
    tags: { env: 'dev', team: 'a' },
    portalTags: {},
    revision: 3,
    canEdit: true,
    ...overrides,
  };
}

const written: TagUpdateResult = {
  resourceId,
  syncMode: 'read-write-tags',
  outcome: 'written',
  before: { env: 'dev', team: 'a' },
  tags: { env: 'prod', team: 'a' },
  portalTags: {},
  revision: 4,
};

function createApi(overrides: Partial<AzureTenantApi> = {}) {
  return mockAzureTenantApi({
    getTags: jest.fn().mockResolvedValue(resourceTags()),
    updateTags: jest.fn().mockResolvedValue(written),
    ...overrides,
  });
}

async function renderEditor(api: AzureTenantApi) {
  const onSaved = jest.fn();
  await renderInTestApp(
    <TestApiProvider apis={[[azureTenantApiRef, api]]}>
      <TagEditor
        resourceId={resourceId}
        onSaved={onSaved}
        onCancel={jest.fn()}
      />
    </TestApiProvider>,
  );
  await screen.findByRole('form', { name: 'Edit tags' });
  return { onSaved };
}

function jsonResponse(status: number, body: unknown) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  });
}

/** A 409 as the backend sends it, through the client's own parsing. */
function conflict(
  current: Record<string, string | null>,
  tags: Record<string, string>,
) {
  return tagResponseError(
    jsonResponse(409, {
      error: {
        name: 'ConflictError',
        message:
          "The tags 'env' changed since you read them; nothing was written.",
      },
      response: { statusCode: 409 },
      current,
      tags,
    }),
  );
}

describe('TagEditor', () => {
  it('sends only the changed tags, with the values it saw', async () => {
    const api = createApi();
    const { onSaved } = await renderEditor(api);

    const env = screen.getByRole('textbox', { name: 'Value of tag env' });
    await userEvent.clear(env);
    await userEvent.type(env, 'prod');
    await userEvent.click(screen.getByRole('button', { name: 'Add tag' }));
    await userEvent.type(
      screen.getByRole('textbox', { name: 'Tag name' }),
      'cost',
    );
    await userEvent.type(
      screen.getByRole('textbox', { name: 'Tag value' }),
      '42',
    );
    await userEvent.click(
      screen.getByRole('button', { name: 'Remove tag team' }),
    );
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));

    await waitFor(() => expect(onSaved).toHaveBeenCalledWith(written));
    expect(api.updateTags).toHaveBeenCalledWith({
      resourceId,
      set: { env: 'prod', cost: '42' },
      remove: ['team'],
      expected: { env: 'dev', cost: null, team: 'a' },
    });
  });

  it('edits, adds and removes tags named like Object members (__proto__, constructor, toString)', async () => {
    // As the client parses the backend's JSON: `__proto__` is an own key.
    const tags = JSON.parse('{"__proto__":"a","toString":"b"}');
    const api = createApi({
      getTags: jest.fn().mockResolvedValue(resourceTags({ tags })),
    });
    const { onSaved } = await renderEditor(api);

    const proto = screen.getByRole('textbox', {
      name: 'Value of tag __proto__',
    });
    expect(proto).toHaveValue('a');
    expect(
      screen.getByRole('textbox', { name: 'Value of tag toString' }),
    ).toHaveValue('b');
    await userEvent.clear(proto);
    await userEvent.type(proto, 'x');
    await userEvent.click(screen.getByRole('button', { name: 'Add tag' }));
    await userEvent.type(
      screen.getByRole('textbox', { name: 'Tag name' }),
      'constructor',
    );
    await userEvent.type(
      screen.getByRole('textbox', { name: 'Tag value' }),
      'c',
    );
    await userEvent.click(
      screen.getByRole('button', { name: 'Remove tag toString' }),
    );
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));

    await waitFor(() => expect(onSaved).toHaveBeenCalled());
    const sent = (api.updateTags as jest.Mock).mock.calls[0][0];
    expect(Object.entries(sent.set)).toEqual([
      ['__proto__', 'x'],
      ['constructor', 'c'],
    ]);
    expect(sent.remove).toEqual(['toString']);
    expect(Object.entries(sent.expected)).toEqual([
      ['__proto__', 'a'],
      ['constructor', null],
      ['toString', 'b'],
    ]);
  });

  it('disables Save until something changes', async () => {
    await renderEditor(createApi());
    expect(screen.getByRole('button', { name: 'Save' })).toBeDisabled();
  });

  it.each([
    ['an empty name', '   ', 'x', /cannot be empty/],
    ['a forbidden character', 'a/b', 'x', /which Azure does not allow/],
    [
      'a name that is too long',
      'n'.repeat(513),
      'x',
      /Azure allows at most 512/,
    ],
    [
      'a value that is too long',
      'cost',
      'v'.repeat(257),
      /Azure allows at most 256/,
    ],
    ['a name already on the resource', 'ENV', 'x', /already has the tag 'env'/],
  ])(
    'shows %s next to the tag as it is typed and disables Save',
    async (_, name, value, message) => {
      await renderEditor(createApi());
      await userEvent.click(screen.getByRole('button', { name: 'Add tag' }));
      await userEvent.click(screen.getByRole('textbox', { name: 'Tag name' }));
      await userEvent.paste(name);
      await userEvent.click(screen.getByRole('textbox', { name: 'Tag value' }));
      await userEvent.paste(value);

      const row = screen.getByRole('group', {
        name: `Tag ${name.trim() ? name : 'new tag'}`,
      });
      expect(within(row).getByRole('alert')).toHaveTextContent(message);
      expect(screen.getByRole('button', { name: 'Save' })).toBeDisabled();
    },
  );

  it('refuses a 51st tag next to the tag that adds it', async () => {
    const tags = Object.fromEntries(
      Array.from({ length: 50 }, (_, i) => [`t${i}`, 'v']),
    );
    await renderEditor(
      createApi({
        getTags: jest.fn().mockResolvedValue(resourceTags({ tags })),
      }),
    );
    // With 50 rows on screen, role queries (every element's accessible name) and user-event's per-event checks take
    // seconds on a busy machine: labels and one change event find and fill the new row as directly.
    fireEvent.click(screen.getByText('Add tag'));
    fireEvent.change(screen.getByLabelText('Tag name'), {
      target: { value: 'extra' },
    });

    expect(
      within(screen.getByLabelText('Tag extra')).getByRole('alert'),
    ).toHaveTextContent(
      'The resource would have 51 tags; Azure allows at most 50.',
    );
    expect(screen.getByText('Save').closest('button')).toBeDisabled();
  });

  it("shows the backend's problems next to each tag", async () => {
    const api = createApi({
      updateTags: jest.fn().mockRejectedValue(
        await tagResponseError(
          jsonResponse(400, {
            error: { name: 'InputError', message: 'Invalid tags' },
            response: { statusCode: 400 },
            problems: [
              {
                tag: 'env',
                code: 'invalid-value',
                message: 'Azure refuses this value.',
              },
            ],
          }),
        ),
      ),
    });
    await renderEditor(api);
    await userEvent.type(
      screen.getByRole('textbox', { name: 'Value of tag env' }),
      '!',
    );
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));

    expect(
      await within(screen.getByRole('group', { name: 'Tag env' })).findByText(
        'Azure refuses this value.',
      ),
    ).toBeInTheDocument();
  });

  it('shows the message of a refusal for the sync mode', async () => {
    const api = createApi({
      updateTags: jest.fn().mockRejectedValue(
        await ResponseError.fromResponse(
          new Response(
            JSON.stringify({
              error: {
                name: 'ConflictError',
                message: 'The subscription keeps no tags (No Tags).',
              },
              response: { statusCode: 409 },
            }),
            { status: 409, headers: { 'Content-Type': 'application/json' } },
          ),
        ),
      ),
    });
    await renderEditor(api);
    await userEvent.type(
      screen.getByRole('textbox', { name: 'Value of tag env' }),
      '!',
    );
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));

    expect(
      await screen.findByText(/The subscription keeps no tags \(No Tags\)/),
    ).toBeInTheDocument();
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
  });

  it.each([
    {
      status: 403,
      name: 'NotAllowedError',
      message:
        "Azure refused the tag change: the portal's service principal no longer holds the Tag Contributor role on subscription sub-1. An Owner can reconnect the tenant on the Azure tenants page.",
    },
    {
      status: 503,
      name: 'ServiceUnavailableError',
      message:
        'The portal cannot sign in to tenant tenant-1: consent was revoked or its service principal was deleted. Nothing was written.',
    },
  ])(
    "shows the backend's sentence when PATCH /tags answers $status, and keeps the draft",
    async ({ status, name, message }) => {
      const api = createApi({
        updateTags: jest.fn().mockRejectedValue(
          await tagResponseError(
            jsonResponse(status, {
              error: { name, message },
              response: { statusCode: status },
            }),
          ),
        ),
      });
      await renderEditor(api);
      const value = screen.getByRole('textbox', { name: 'Value of tag env' });
      await userEvent.type(value, '!');
      await userEvent.click(screen.getByRole('button', { name: 'Save' }));

      expect(await screen.findByRole('alert')).toHaveTextContent(
        `Could not save the tags: ${message}`,
      );
      expect(value).toHaveValue('dev!');
      expect(screen.getByRole('button', { name: 'Save' })).toBeEnabled();
    },
  );

  it('says why the tags may be stale and since when, and still edits them', async () => {
    const lastSync = new Date(Date.now() - 26 * 3600_000).toISOString();
    const api = createApi({
      getTags: jest.fn().mockResolvedValue(
        resourceTags({
          staleness: {
            access: {
              problem: 'read-denied',
              message:
                'Azure refused to let the portal read subscription sub-1.',
              since: lastSync,
              checkedAt: lastSync,
              action: 'reconnect',
            },
            lastSuccessfulSyncAt: lastSync,
          },
        }),
      ),
    });
    await renderEditor(api);

    const notice = screen.getByRole('alert');
    expect(notice).toHaveTextContent(
      'Warning: The tags shown may be out of date: the portal lost access yesterday',
    );
    expect(notice).toHaveTextContent(
      'Azure refused to let the portal read subscription sub-1.',
    );
    expect(notice).toHaveTextContent(
      /The tags shown are from the last successful sync, yesterday \(.+\)\./,
    );
    expect(
      screen.getByRole('textbox', { name: 'Value of tag env' }),
    ).toHaveValue('dev');
  });

  describe('after Azure changed a tag in the meantime', () => {
    // The user sets env=prod and cost=1; meanwhile Azure set env=staging.
    async function openConflict(api: ReturnType<typeof createApi>) {
      jest
        .mocked(api.updateTags)
        .mockRejectedValueOnce(
          await conflict(
            { env: 'staging', cost: null },
            { env: 'staging', team: 'a' },
          ),
        );
      await renderEditor(api);
      const env = screen.getByRole('textbox', { name: 'Value of tag env' });
      await userEvent.clear(env);
      await userEvent.type(env, 'prod');
      await userEvent.click(screen.getByRole('button', { name: 'Add tag' }));
      await userEvent.type(
        screen.getByRole('textbox', { name: 'Tag name' }),
        'cost',
      );
      await userEvent.type(
        screen.getByRole('textbox', { name: 'Tag value' }),
        '1',
      );
      await userEvent.click(screen.getByRole('button', { name: 'Save' }));
      const dialog = await screen.findByRole('dialog');
      expect(
        within(dialog).getByRole('row', { name: /env dev staging prod/ }),
      ).toBeInTheDocument();
      return dialog;
    }

    it('keeps mine: sends the same change with Azure’s current values as expected', async () => {
      const api = createApi();
      const dialog = await openConflict(api);
      await userEvent.click(
        within(dialog).getByRole('button', { name: 'Keep mine' }),
      );

      await waitFor(() => expect(api.updateTags).toHaveBeenCalledTimes(2));
      expect(jest.mocked(api.updateTags).mock.calls[1][0]).toEqual({
        resourceId,
        set: { env: 'prod', cost: '1' },
        expected: { env: 'staging', cost: null },
      });
    });

    it('takes theirs: sends nothing and reloads the tags', async () => {
      const api = createApi();
      const dialog = await openConflict(api);
      jest
        .mocked(api.getTags)
        .mockResolvedValue(
          resourceTags({ tags: { env: 'staging', team: 'a' } }),
        );
      await userEvent.click(
        within(dialog).getByRole('button', { name: 'Take theirs' }),
      );

      await waitFor(() =>
        expect(
          screen.getByRole('textbox', { name: 'Value of tag env' }),
        ).toHaveValue('staging'),
      );
      expect(api.getTags).toHaveBeenCalledTimes(2);
      expect(api.updateTags).toHaveBeenCalledTimes(1);
      expect(
        screen.queryByRole('textbox', { name: 'Tag name' }),
      ).not.toBeInTheDocument();
    });

    it('merges: keeps my edits Azure did not touch, shows them, then sends them', async () => {
      const api = createApi();
      const dialog = await openConflict(api);
      await userEvent.click(
        within(dialog).getByRole('button', { name: 'Merge' }),
      );

      const merged = within(dialog).getByRole('region', {
        name: 'Merged change',
      });
      expect(merged).toHaveTextContent('set cost to 1');
      expect(merged).toHaveTextContent("keep Azure's env: staging");
      await userEvent.click(
        within(dialog).getByRole('button', { name: 'Save merged change' }),
      );

      await waitFor(() => expect(api.updateTags).toHaveBeenCalledTimes(2));
      expect(jest.mocked(api.updateTags).mock.calls[1][0]).toEqual({
        resourceId,
        set: { cost: '1' },
        expected: { cost: null },
      });
    });
  });

  it('is read-only with the reason when the user may not edit', async () => {
    const api = createApi({
      getTags: jest.fn().mockResolvedValue(
        resourceTags({
          canEdit: false,
          reason: {
            code: 'permission',
            message: 'You are not an owner of this resource.',
          },
        }),
      ),
    });
    await renderInTestApp(
      <TestApiProvider apis={[[azureTenantApiRef, api]]}>
        <TagEditor
          resourceId={resourceId}
          onSaved={jest.fn()}
          onCancel={jest.fn()}
        />
      </TestApiProvider>,
    );

    const note = await screen.findByRole('note', { name: 'Read-only' });
    expect(note).toHaveTextContent('You are not an owner of this resource.');
    expect(
      screen.queryByRole('button', { name: 'Save' }),
    ).not.toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Add tag' }),
    ).not.toBeInTheDocument();
    expect(
      screen.getByRole('listitem', { name: 'env: dev' }),
    ).toBeInTheDocument();
  });

  it('is read-only with the sync mode and who can change it under No Tags', async () => {
    const api = createApi({
      getTags: jest.fn().mockResolvedValue(
        resourceTags({
          syncMode: 'no-tags',
          tags: undefined,
          canEdit: false,
          reason: {
            code: 'sync-mode',
            message: 'Tags are not synchronized under No Tags.',
          },
        }),
      ),
    });
    await renderInTestApp(
      <TestApiProvider apis={[[azureTenantApiRef, api]]}>
        <TagEditor
          resourceId={resourceId}
          onSaved={jest.fn()}
          onCancel={jest.fn()}
        />
      </TestApiProvider>,
    );

    const note = await screen.findByRole('note', { name: 'Read-only' });
    expect(note).toHaveTextContent('Tags are not synchronized under No Tags.');
    expect(note).toHaveTextContent(
      /tags will not be synchronized in either direction/,
    );
    expect(note).toHaveTextContent(
      /An admin can change the sync mode on the Azure tenants page/,
    );
  });

  it('marks portal-only tags under Read Tags Only and lets only those be removed', async () => {
    const api = createApi({
      getTags: jest
        .fn()
        .mockResolvedValue(
          resourceTags({ syncMode: 'read-tags', portalTags: { cost: '7' } }),
        ),
    });
    await renderEditor(api);

    expect(
      screen.getByText(/your edits stay in the portal as portal-only tags/),
    ).toBeInTheDocument();
    expect(
      within(screen.getByRole('group', { name: 'Tag cost' })).getByText(
        'portal only',
      ),
    ).toBeInTheDocument();
    expect(
      within(screen.getByRole('group', { name: 'Tag env' })).queryByText(
        'portal only',
      ),
    ).not.toBeInTheDocument();
    expect(
      screen.getByRole('button', { name: 'Remove tag env' }),
    ).toBeDisabled();
    expect(
      screen.getByRole('button', { name: 'Remove tag cost' }),
    ).toBeEnabled();
  });
});
