import express from 'express';
import { HttpAuthService } from '@backstage/backend-plugin-api';
import { requestCaller } from '../../service/caller';
import {
  ApiRequestHandler,
  createApiRouter,
} from '../../schema/createApiRouter';
import { TagPolicyOperations } from './TagPolicyOperations';

/** Options for {@link createTagPoliciesRouter}: the operations it serves, and how it reads credentials. */
export interface TagPoliciesRouterOptions {
  operations: TagPolicyOperations;
  httpAuth: HttpAuthService;
}

/**
 * `GET`/`POST /tag-policies`, `GET /tag-policies/azure` and `GET`/`PUT`/`DELETE /tag-policies/{policyId}`,
 * validated against the API's document.
 */
export async function createTagPoliciesRouter(
  options: TagPoliciesRouterOptions,
): Promise<express.Handler> {
  const { httpAuth, operations } = options;
  const router = await createApiRouter([
    '/tag-policies',
    '/tag-policies/azure',
    '/tag-policies/{policyId}',
  ]);

  // Services get past requestCaller for reads; the operations refuse them the writes, which are for users.
  router.get('/tag-policies', async (req, res) => {
    res.json({
      items: await operations.list(await requestCaller(httpAuth, req)),
    });
  });

  router.post('/tag-policies', async (req, res) => {
    res
      .status(201)
      .json(
        await operations.create(await requestCaller(httpAuth, req), req.body),
      );
  });

  // Before /tag-policies/:policyId, which would take `azure` for an id.
  router.get('/tag-policies/azure', async (req, res) => {
    res.json({
      items: await operations.listAzure(await requestCaller(httpAuth, req), {
        subscriptionId: req.query.subscriptionId,
      }),
    });
  });

  router.get('/tag-policies/:policyId', async (req, res) => {
    res.json(
      await operations.get(
        await requestCaller(httpAuth, req),
        req.params.policyId,
      ),
    );
  });

  router.put('/tag-policies/:policyId', async (req, res) => {
    res.json(
      await operations.replace(
        await requestCaller(httpAuth, req),
        req.params.policyId,
        req.body,
      ),
    );
  });

  const deletePolicy: ApiRequestHandler<
    '#delete|/tag-policies/{policyId}'
  > = async (req, res) => {
    await operations.delete(
      await requestCaller(httpAuth, req),
      req.params.policyId,
    );
    res.status(204).end();
  };
  // Backstage's typed router looks a DELETE up as `#_delete|…` (its generator's spelling), ours is `#delete|…`.
  (router as unknown as express.Router).delete(
    '/tag-policies/:policyId',
    deletePolicy,
  );

  return router;
}
