import { render, screen } from '@testing-library/react';
import { Entity } from '@backstage/catalog-model';
import { coreExtensionData } from '@backstage/frontend-plugin-api';
import { createExtensionTester } from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import alphaPlugin, { entityAzureAccessWarningCard } from '../alpha';

function subscription(annotations: Record<string, string> = {}): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: {
      name: 'azure-subscription-sub-1',
      annotations: {
        'management.azure.com/subscriptionId': 'sub-1',
        'management.azure.com/resourceId': '/subscriptions/sub-1',
        ...annotations,
      },
    },
    spec: { type: 'azure-subscription', owner: 'group:default/team-a' },
  };
}

const lost = subscription({
  'azure-tenant.io/access-problem': 'consent-revoked',
  'azure-tenant.io/access-since': '2025-01-02T03:04:05.000Z',
});

describe('the access warning card of the alpha plugin', () => {
  it('is shown only on entities the portal has lost access to', () => {
    const filter = createExtensionTester(entityAzureAccessWarningCard).get(
      EntityContentBlueprint.dataRefs.filterFunction,
    );

    expect(filter?.(lost)).toBe(true);
    expect(filter?.(subscription())).toBe(false);
  });

  it('says what happened and since when', async () => {
    const tester = createExtensionTester(entityAzureAccessWarningCard);
    const element = tester.get(coreExtensionData.reactElement);
    render(<EntityProvider entity={lost}>{element}</EntityProvider>);

    const warning = await screen.findByRole('alert');
    expect(warning).toHaveTextContent(
      'Error: The portal can no longer sign in to this tenant',
    );
    expect(warning).toHaveTextContent(
      new Date('2025-01-02T03:04:05.000Z').toLocaleString(),
    );
    expect(warning).toHaveTextContent(/admin consent was revoked/);
  });

  it('is part of the plugin', () => {
    expect(
      alphaPlugin.getExtension('entity-card:azure-tenant/access-warning'),
    ).toBeDefined();
  });
});
