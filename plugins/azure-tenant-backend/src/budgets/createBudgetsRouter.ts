import express from 'express';
import { HttpAuthService } from '@backstage/backend-plugin-api';
import { requestCaller } from '../service/caller';
import { ApiRequestHandler, createApiRouter } from '../schema/createApiRouter';
import { BudgetOperations } from './BudgetOperations';

/** Options for {@link createBudgetsRouter}: the operations it serves, and how it reads credentials. */
export interface BudgetsRouterOptions {
  operations: BudgetOperations;
  httpAuth: HttpAuthService;
}

/**
 * `GET /budgets`, `POST /budgets`, `GET`/`PUT`/`DELETE /budgets/{budgetId}` and `POST /budgets/{budgetId}/mute`,
 * validated against the API's document.
 */
export async function createBudgetsRouter(
  options: BudgetsRouterOptions,
): Promise<express.Handler> {
  const { httpAuth, operations } = options;
  const router = await createApiRouter([
    '/budgets',
    '/budgets/{budgetId}',
    '/budgets/{budgetId}/mute',
  ]);

  // Services get past requestCaller for reads; the operations refuse them the writes, which are for users.
  router.get('/budgets', async (req, res) => {
    res.json({
      items: await operations.list(await requestCaller(httpAuth, req), {
        owner: req.query.owner,
        scopeKind: req.query.scopeKind,
      }),
    });
  });

  router.post('/budgets', async (req, res) => {
    res
      .status(201)
      .json(
        await operations.create(await requestCaller(httpAuth, req), req.body),
      );
  });

  router.get('/budgets/:budgetId', async (req, res) => {
    res.json(
      await operations.get(
        await requestCaller(httpAuth, req),
        req.params.budgetId,
      ),
    );
  });

  router.put('/budgets/:budgetId', async (req, res) => {
    res.json(
      await operations.replace(
        await requestCaller(httpAuth, req),
        req.params.budgetId,
        req.body,
      ),
    );
  });

  const deleteBudget: ApiRequestHandler<'#delete|/budgets/{budgetId}'> = async (
    req,
    res,
  ) => {
    await operations.delete(
      await requestCaller(httpAuth, req),
      req.params.budgetId,
    );
    res.status(204).end();
  };
  // Backstage's typed router looks a DELETE up as `#_delete|…` (its generator's spelling), ours is `#delete|…`.
  (router as unknown as express.Router).delete(
    '/budgets/:budgetId',
    deleteBudget,
  );

  router.post('/budgets/:budgetId/mute', async (req, res) => {
    res.json(
      await operations.mute(
        await requestCaller(httpAuth, req),
        req.params.budgetId,
        req.body.until,
      ),
    );
  });

  return router;
}
