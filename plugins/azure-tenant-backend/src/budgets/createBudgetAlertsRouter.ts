import express from 'express';
import { HttpAuthService } from '@backstage/backend-plugin-api';
import { createApiRouter } from '../schema/createApiRouter';
import { requestCaller } from '../service/caller';
import {
  BudgetAlertOperations,
  BudgetAlertOperationsOptions,
} from './BudgetAlertOperations';

/** Options for {@link createBudgetAlertsRouter}: those of the operations it serves, and how it reads credentials. */
export interface BudgetAlertsRouterOptions
  extends BudgetAlertOperationsOptions {
  httpAuth: HttpAuthService;
}

/** `GET /budget-alerts`, validated against the API's document. */
export async function createBudgetAlertsRouter(
  options: BudgetAlertsRouterOptions,
): Promise<express.Handler> {
  const { httpAuth } = options;
  const operations = new BudgetAlertOperations(options);
  const router = await createApiRouter(['/budget-alerts']);

  router.get('/budget-alerts', async (req, res) => {
    res.json(
      await operations.list(await requestCaller(httpAuth, req), req.query),
    );
  });

  return router;
}
