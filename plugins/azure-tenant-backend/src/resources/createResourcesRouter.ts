import express from 'express';
import { HttpAuthService } from '@backstage/backend-plugin-api';
import { createApiRouter } from '../schema/createApiRouter';
import { requestCaller } from '../service/caller';
import { parseResourceSearch } from './resourceSearchParameters';
import { ResourceSearch } from './ResourceSearch';

/** Options for {@link createResourcesRouter}. */
export interface ResourcesRouterOptions {
  resourceSearch: ResourceSearch;
  httpAuth: HttpAuthService;
}

/** `GET /resources` and `GET /subscriptions/{subscriptionId}/resources`, validated against the API's document. */
export async function createResourcesRouter(
  options: ResourcesRouterOptions,
): Promise<express.Handler> {
  const { resourceSearch, httpAuth } = options;
  const router = await createApiRouter([
    '/resources',
    '/subscriptions/{subscriptionId}/resources',
  ]);

  router.get('/resources', async (req, res) => {
    const caller = await requestCaller(httpAuth, req);
    const query = parseResourceSearch(req.query);
    res.json(await resourceSearch.find(query, caller));
  });

  router.get('/subscriptions/:subscriptionId/resources', async (req, res) => {
    const caller = await requestCaller(httpAuth, req);
    // The path names the subscription; the document gives this path no subscriptionId query parameter.
    const { subscriptionId } = req.params;
    const query = parseResourceSearch({ ...req.query, subscriptionId });
    res.json(
      await resourceSearch.findInSubscription(
        query.subscriptionId!,
        query,
        caller,
      ),
    );
  });

  return router;
}
