import express from 'express';
import { HttpAuthService } from '@backstage/backend-plugin-api';
import { createApiRouter } from '../schema/createApiRouter';
import { requestCaller } from '../service/caller';
import { SavingsOperations } from './SavingsOperations';

/** Options for {@link createSavingsRouter}. */
export interface SavingsRouterOptions {
  savings: SavingsOperations;
  httpAuth: HttpAuthService;
}

/** `GET /savings`, validated against the API's document. */
export async function createSavingsRouter(
  options: SavingsRouterOptions,
): Promise<express.Handler> {
  const { savings, httpAuth } = options;
  const router = await createApiRouter(['/savings']);

  router.get('/savings', async (req, res) => {
    res.json(
      await savings.report(await requestCaller(httpAuth, req), req.query),
    );
  });

  return router;
}
