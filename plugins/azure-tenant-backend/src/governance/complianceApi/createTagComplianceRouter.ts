import express from 'express';
import { HttpAuthService } from '@backstage/backend-plugin-api';
import { createApiRouter } from '../../schema/createApiRouter';
import { requestCaller } from '../../service/caller';
import { TagComplianceOperations } from './TagComplianceOperations';

/** Options for {@link createTagComplianceRouter}: the operations it serves, and how it reads credentials. */
export interface TagComplianceRouterOptions {
  operations: TagComplianceOperations;
  httpAuth: HttpAuthService;
}

/**
 * `GET /tag-compliance/summary`, `/teams`, `/resources` and `/resource`, validated against the API's document. Users
 * and services may read; the operations decide what each may see.
 */
export async function createTagComplianceRouter(
  options: TagComplianceRouterOptions,
): Promise<express.Handler> {
  const { httpAuth, operations } = options;
  const router = await createApiRouter([
    '/tag-compliance/summary',
    '/tag-compliance/teams',
    '/tag-compliance/resources',
    '/tag-compliance/resource',
  ]);

  router.get('/tag-compliance/summary', async (req, res) => {
    res.json(
      await operations.summary(await requestCaller(httpAuth, req), req.query),
    );
  });

  router.get('/tag-compliance/teams', async (req, res) => {
    res.json(
      await operations.teams(await requestCaller(httpAuth, req), req.query),
    );
  });

  router.get('/tag-compliance/resources', async (req, res) => {
    res.json(
      await operations.list(await requestCaller(httpAuth, req), req.query),
    );
  });

  router.get('/tag-compliance/resource', async (req, res) => {
    res.json(
      await operations.resource(
        await requestCaller(httpAuth, req),
        req.query.resourceId,
      ),
    );
  });

  return router;
}
