import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { SYNC_MODE_DESCRIPTIONS } from '@azure-tenant/plugin-azure-tenant-common';
import { SyncModeSelect } from './SyncModeSelect';

describe('SyncModeSelect', () => {
  it('offers the four sync modes with their titles and descriptions', async () => {
    const onChange = jest.fn();
    render(
      <SyncModeSelect
        label="Sync mode of Production"
        value="read-write-tags"
        editable
        onChange={onChange}
      />,
    );

    await userEvent.click(
      screen.getByRole('button', { name: /Sync mode of Production/ }),
    );
    const options = within(screen.getByRole('listbox')).getAllByRole('option');
    expect(options.map(o => o.textContent)).toEqual(
      Object.values(SYNC_MODE_DESCRIPTIONS).map(
        d => `${d.title}${d.description}`,
      ),
    );

    await userEvent.click(options[0]);
    expect(onChange).toHaveBeenCalledWith('none');
  });

  it('does not report choosing the mode that is already set', async () => {
    const onChange = jest.fn();
    render(
      <SyncModeSelect
        label="Sync mode of Production"
        value="no-tags"
        editable
        onChange={onChange}
      />,
    );

    await userEvent.click(
      screen.getByRole('button', { name: /Sync mode of Production/ }),
    );
    await userEvent.click(screen.getByRole('option', { name: /^No Tags/ }));
    expect(onChange).not.toHaveBeenCalled();
  });

  it('shows the mode and its description as text when it may not be changed', () => {
    render(
      <SyncModeSelect
        label="Sync mode of Production"
        value="read-tags"
        editable={false}
        onChange={jest.fn()}
      />,
    );

    expect(screen.queryByRole('button')).not.toBeInTheDocument();
    expect(screen.getByText('Read Tags Only')).toBeInTheDocument();
    expect(
      screen.getByText(SYNC_MODE_DESCRIPTIONS['read-tags'].description),
    ).toBeInTheDocument();
  });
});
