import { startTestBackend } from '@backstage/backend-test-utils';
import request from 'supertest';
import { azureTenantPlugin } from './plugin';

describe('azureTenantPlugin', () => {
  describe('GET /health', () => {
    it('answers without credentials', async () => {
      const { server } = await startTestBackend({
        features: [azureTenantPlugin],
      });

      const response = await request(server).get('/api/azure-tenant/health');

      expect(response.status).toBe(200);
      expect(response.body).toEqual({ status: 'ok' });
    });

    it('is the only route so far: others are not found', async () => {
      const { server } = await startTestBackend({
        features: [azureTenantPlugin],
      });

      const response = await request(server).get('/api/azure-tenant/tenants');

      expect(response.status).toBe(404);
    });
  });
});
