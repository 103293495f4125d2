import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { TestApiProvider, renderInTestApp } from '@backstage/test-utils';
import { AzureTenantApi, azureTenantApiRef } from '../../api';
import { mockAzureTenantApi } from '../../__testUtils__/mockAzureTenantApi';
import {
  PROD_SUBSCRIPTION,
  tagPolicy,
} from '../../__testUtils__/tagGovernanceFixtures';
import { TagPolicyDialog } from './TagPolicyDialog';

const onSaved = jest.fn();

async function renderDialog(
  api: AzureTenantApi,
  policy?: Parameters<typeof TagPolicyDialog>[0]['policy'],
) {
  await renderInTestApp(
    <TestApiProvider apis={[[azureTenantApiRef, api]]}>
      <TagPolicyDialog policy={policy} onSaved={onSaved} onClose={jest.fn()} />
    </TestApiProvider>,
  );
  return screen.findByRole('dialog');
}

/** The helper text under a field, where its problem shows. */
function helperOf(dialog: HTMLElement, label: string): string {
  const input = within(dialog).getByLabelText(label);
  const helperId = input.getAttribute('aria-describedby');
  return helperId ? document.getElementById(helperId)?.textContent ?? '' : '';
}

describe('TagPolicyDialog', () => {
  beforeEach(() => onSaved.mockReset());

  it('checks the key, the aliases and the pattern as the user types, and sends nothing while they are wrong', async () => {
    const api = mockAzureTenantApi({ createTagPolicy: jest.fn() });
    const dialog = await renderDialog(api);

    await userEvent.type(within(dialog).getByLabelText('Key'), 'cost/center');
    expect(helperOf(dialog, 'Key')).toContain(
      'or a control character, which Azure does not allow',
    );
    expect(within(dialog).getByLabelText('Key')).toHaveAttribute(
      'aria-invalid',
      'true',
    );
    await userEvent.clear(within(dialog).getByLabelText('Key'));
    await userEvent.type(within(dialog).getByLabelText('Key'), 'cost-center');
    expect(within(dialog).getByLabelText('Key')).toHaveAttribute(
      'aria-invalid',
      'false',
    );

    await userEvent.type(
      within(dialog).getByLabelText('Aliases'),
      'costcenter, Cost-Center',
    );
    expect(helperOf(dialog, 'Aliases')).toMatch(
      /'Cost-Center' is the key itself/,
    );

    await userEvent.selectOptions(
      within(dialog).getByLabelText('Values'),
      'Matches a pattern',
    );
    await userEvent.click(within(dialog).getByLabelText('Pattern'));
    await userEvent.paste('cc-[0-9');
    expect(helperOf(dialog, 'Pattern')).toMatch(
      /^The pattern does not compile/,
    );

    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Create policy' }),
    );
    expect(helperOf(dialog, 'Name')).toBe('Give the policy a name');
    expect(api.createTagPolicy).not.toHaveBeenCalled();
  });

  it('edits a policy: its list of values, entity kinds and scope as they are, and sends the whole input', async () => {
    const policy = tagPolicy({
      values: { kind: 'list', values: ['prod', 'test'], caseSensitive: true },
      scope: {
        subscriptionIds: [PROD_SUBSCRIPTION],
        resourceTypes: ['Microsoft.Compute/virtualMachines'],
      },
    });
    const api = mockAzureTenantApi({
      updateTagPolicy: jest.fn().mockResolvedValue(policy),
    });
    const dialog = await renderDialog(api, policy);
    expect(within(dialog).getByLabelText('Allowed values')).toHaveValue(
      'prod\ntest',
    );

    await userEvent.type(
      within(dialog).getByLabelText('Allowed values'),
      '{enter}dev',
    );
    await userEvent.type(
      within(dialog).getByLabelText('Resource group pattern'),
      'rg-prod-*',
    );
    await userEvent.type(
      within(dialog).getByLabelText('Resource types'),
      ', not a type',
    );
    expect(helperOf(dialog, 'Resource types')).toBe(
      "'not a type' is not a resource type, e.g. Microsoft.Compute/virtualMachines",
    );
    await userEvent.clear(within(dialog).getByLabelText('Resource types'));
    await userEvent.type(
      within(dialog).getByLabelText('Resource types'),
      'Microsoft.Web/sites',
    );
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Save policy' }),
    );

    expect(api.updateTagPolicy).toHaveBeenCalledWith('p-1', {
      name: 'Owner is a catalog team',
      key: 'owner',
      aliases: ['owned-by'],
      required: true,
      values: {
        kind: 'list',
        values: ['prod', 'test', 'dev'],
        caseSensitive: true,
      },
      inherit: 'resource-group',
      scope: {
        subscriptionIds: [PROD_SUBSCRIPTION],
        resourceGroupPattern: 'rg-prod-*',
        resourceTypes: ['Microsoft.Web/sites'],
      },
    });
    expect(onSaved).toHaveBeenCalledWith(policy);
  });

  it('asks for at least one kind of catalog entity', async () => {
    const api = mockAzureTenantApi({ createTagPolicy: jest.fn() });
    const dialog = await renderDialog(api);

    await userEvent.selectOptions(
      within(dialog).getByLabelText('Values'),
      'A catalog group or user',
    );
    await userEvent.click(within(dialog).getByLabelText('Group'));
    await userEvent.click(within(dialog).getByLabelText('User'));

    expect(
      within(dialog).getByText('Allow groups, users or both'),
    ).toBeInTheDocument();
  });
});
