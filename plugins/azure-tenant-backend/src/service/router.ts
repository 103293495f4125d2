import express from 'express';
import Router from 'express-promise-router';

/**
 * Builds the REST API of the Azure tenant plugin, served under `/api/azure-tenant`.
 *
 * So far it holds only `GET /health`; onboarding, sync, spend and tag endpoints are added by their issues.
 */
export async function createRouter(): Promise<express.Router> {
  const router = Router();
  router.use(express.json());

  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  return router;
}
