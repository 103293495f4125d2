import { screen } from '@testing-library/react';
import { renderInTestApp } from '@backstage/test-utils';
import { TagChips } from './TagChips';

describe('TagChips', () => {
  it('shows tags named like Object members (__proto__, constructor), Azure and portal-only', async () => {
    // As the client parses the backend's JSON: `__proto__` is an own key.
    const tags = JSON.parse('{"__proto__":"a","constructor":"b"}');
    const portalTags = JSON.parse('{"__proto__":"p"}');
    await renderInTestApp(
      <TagChips tags={tags} portalTags={portalTags} label="Tags" />,
    );
    expect(
      screen.getByRole('listitem', { name: '__proto__: a' }),
    ).toBeVisible();
    expect(
      screen.getByRole('listitem', { name: 'constructor: b' }),
    ).toBeVisible();
    expect(
      screen.getByRole('listitem', { name: '__proto__: p, portal only' }),
    ).toBeVisible();
  });
});
