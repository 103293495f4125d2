import express from 'express';
import { HttpAuthService } from '@backstage/backend-plugin-api';
import { createApiRouter } from '../schema/createApiRouter';
import { requestCaller } from '../service/caller';
import { sendCsvAttachment } from '../service/csvAttachment';
import { GetShowback } from '../schema/openapi';
import { showbackCsv } from './showbackCsv';
import {
  ShowbackOperations,
  ShowbackOperationsOptions,
} from './ShowbackOperations';

/** Options for {@link createShowbackRouter}: those of the operations it serves, and how it reads credentials. */
export interface ShowbackRouterOptions extends ShowbackOperationsOptions {
  httpAuth: HttpAuthService;
}

/** `GET /showback` and `GET /showback.csv`, validated against the API's document. */
export async function createShowbackRouter(
  options: ShowbackRouterOptions,
): Promise<express.Handler> {
  const { httpAuth } = options;
  const operations = new ShowbackOperations(options);
  const router = await createApiRouter(['/showback', '/showback.csv']);

  const report = async <ResBody>(
    req: express.Request<never, ResBody, unknown, GetShowback['query']>,
  ) => operations.report(await requestCaller(httpAuth, req), req.query);

  router.get('/showback', async (req, res) => {
    res.json(await report(req));
  });

  router.get('/showback.csv', async (req, res) => {
    const result = await report(req);
    sendCsvAttachment(
      res,
      `showback-${result.from}-${result.to}.csv`,
      showbackCsv(result),
    );
  });

  return router;
}
