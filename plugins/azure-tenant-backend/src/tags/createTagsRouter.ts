import express from 'express';
import { HttpAuthService } from '@backstage/backend-plugin-api';
import { requestCaller } from '../service/caller';
import { ApiRequestHandler, createApiRouter } from '../schema/createApiRouter';
import {
  TAG_ERROR_STATUS,
  tagErrorRecoveryFields,
  TagOperations,
  TagOperationsOptions,
} from './TagOperations';

/** Options for {@link createTagsRouter}: those of the operations it serves, and how it reads credentials. */
export interface TagsRouterOptions extends TagOperationsOptions {
  httpAuth: HttpAuthService;
}

/** `GET /tags`, `PATCH /tags` and `POST /tags/bulk`, validated against the API's document. */
export async function createTagsRouter(
  options: TagsRouterOptions,
): Promise<express.Handler> {
  const { httpAuth } = options;
  const operations = new TagOperations(options);
  const router = await createApiRouter(['/tags', '/tags/bulk']);

  // Services get past requestCaller, and the operations refuse them: tags are read and edited by users only.
  router.get('/tags', async (req, res) => {
    res.json(
      await operations.getTags(await requestCaller(httpAuth, req), {
        resourceId: req.query.resourceId,
        live: req.query.live === 'true',
      }),
    );
  });

  const updateTags: ApiRequestHandler<'#patch|/tags'> = async (req, res) => {
    res.json(
      await operations.updateTags(await requestCaller(httpAuth, req), req.body),
    );
  };
  router.patch('/tags', updateTags);

  router.post('/tags/bulk', async (req, res) => {
    // The document bounds the list: 1 to 500 strings.
    res.json(
      await operations.updateMany(await requestCaller(httpAuth, req), req.body),
    );
  });

  // A conflict (409) and a rule violation (400) answer Backstage's error body plus what the client needs to
  // recover; every other error goes on to Backstage's error handler.
  router.use(
    (
      error: Error,
      req: express.Request,
      res: express.Response,
      next: express.NextFunction,
    ) => {
      const fields = tagErrorRecoveryFields(error);
      if (Object.keys(fields).length === 0) {
        next(error);
        return;
      }
      const statusCode = TAG_ERROR_STATUS[error.name];
      res.status(statusCode).json({
        error: { name: error.name, message: error.message },
        request: { method: req.method, url: req.originalUrl },
        response: { statusCode },
        ...fields,
      });
    },
  );

  return router;
}
