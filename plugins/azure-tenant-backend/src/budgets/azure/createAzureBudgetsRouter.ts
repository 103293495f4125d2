import express from 'express';
import { HttpAuthService } from '@backstage/backend-plugin-api';
import { createApiRouter } from '../../schema/createApiRouter';
import { requestCaller } from '../../service/caller';
import { AzureBudgetOperations } from './AzureBudgetOperations';

/** Options for {@link createAzureBudgetsRouter}. */
export interface AzureBudgetsRouterOptions {
  azureBudgets: AzureBudgetOperations;
  httpAuth: HttpAuthService;
}

/** `GET /azure-budgets`, validated against the API's document. */
export async function createAzureBudgetsRouter(
  options: AzureBudgetsRouterOptions,
): Promise<express.Handler> {
  const { azureBudgets, httpAuth } = options;
  const router = await createApiRouter(['/azure-budgets']);

  router.get('/azure-budgets', async (req, res) => {
    res.json(
      await azureBudgets.list(await requestCaller(httpAuth, req), req.query),
    );
  });

  return router;
}
