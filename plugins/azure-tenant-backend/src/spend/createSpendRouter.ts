import express from 'express';
import { HttpAuthService } from '@backstage/backend-plugin-api';
import { createApiRouter } from '../schema/createApiRouter';
import { requestCaller } from '../service/caller';
import { sendCsvAttachment } from '../service/csvAttachment';
import { GetSpend } from '../schema/openapi';
import { spendReportCsv } from './spendCsv';
import { SpendOperations, SpendOperationsOptions } from './SpendOperations';

/** Options for {@link createSpendRouter}: those of the operations it serves, and how it reads credentials. */
export interface SpendRouterOptions extends SpendOperationsOptions {
  httpAuth: HttpAuthService;
}

/** `GET /spend` and `GET /spend.csv`, validated against the API's document. */
export async function createSpendRouter(
  options: SpendRouterOptions,
): Promise<express.Handler> {
  const { httpAuth } = options;
  const operations = new SpendOperations(options);
  const router = await createApiRouter(['/spend', '/spend.csv']);

  const report = async <ResBody>(
    req: express.Request<never, ResBody, unknown, GetSpend['query']>,
  ) => operations.report(await requestCaller(httpAuth, req), req.query);

  router.get('/spend', async (req, res) => {
    res.json(await report(req));
  });

  router.get('/spend.csv', async (req, res) => {
    const result = await report(req);
    sendCsvAttachment(
      res,
      `spend-${result.query.from}-${result.query.to}.csv`,
      spendReportCsv(result),
    );
  });

  return router;
}
