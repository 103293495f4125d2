import express from 'express';
import { HttpAuthService } from '@backstage/backend-plugin-api';
import { Caller } from '../../service/caller';
import { createApiRouter } from '../../schema/createApiRouter';
import { TagFixOperations } from './TagFixOperations';

/** Options for {@link createTagFixesRouter}: the operations it serves, and how it reads credentials. */
export interface TagFixesRouterOptions {
  operations: TagFixOperations;
  httpAuth: HttpAuthService;
}

/**
 * `POST /tag-fixes/preview`, `GET`/`POST /tag-fixes`, `GET /tag-fixes/{jobId}` and
 * `POST /tag-fixes/{jobId}/cancel`, validated against the API's document. For users only, as tag edits are: a
 * service's credentials get a 403.
 */
export async function createTagFixesRouter(
  options: TagFixesRouterOptions,
): Promise<express.Handler> {
  const { httpAuth, operations } = options;
  const router = await createApiRouter([
    '/tag-fixes/preview',
    '/tag-fixes',
    '/tag-fixes/{jobId}',
    '/tag-fixes/{jobId}/cancel',
  ]);
  const userCaller = async (req: express.Request): Promise<Caller> => ({
    credentials: await httpAuth.credentials(req, { allow: ['user'] }),
    request: req,
  });

  router.post('/tag-fixes/preview', async (req, res) => {
    res.json(await operations.preview(await userCaller(req), req.body));
  });

  router.get('/tag-fixes', async (req, res) => {
    res.json({ items: await operations.list(await userCaller(req)) });
  });

  router.post('/tag-fixes', async (req, res) => {
    res
      .status(202)
      .json(await operations.apply(await userCaller(req), req.body));
  });

  router.get('/tag-fixes/:jobId', async (req, res) => {
    res.json(await operations.get(await userCaller(req), req.params.jobId));
  });

  router.post('/tag-fixes/:jobId/cancel', async (req, res) => {
    res.json(await operations.cancel(await userCaller(req), req.params.jobId));
  });

  return router;
}
