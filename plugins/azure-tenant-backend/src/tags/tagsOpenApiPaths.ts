/*
 * OpenAPI 3.1 path items of the tags API, to spread into the plugin's document. Query parameters are strings: the
 * document's request validation does not coerce types.
 */

const tagMap = {
  type: 'object',
  additionalProperties: { type: 'string' },
} as const;

const resourceIdSchema = {
  type: 'string',
  maxLength: 2048,
  description:
    'An Azure resource id: /subscriptions/{id}/resourceGroups/{group}/providers/{namespace}/{type}/{name}[/{type}/{name}]… (case-insensitive). Subscription and resource group ids are refused.',
} as const;

const tagChangeProperties = {
  set: {
    ...tagMap,
    description:
      'Tags to add or change. Names are case-insensitive: setting Owner replaces owner.',
  },
  remove: {
    type: 'array',
    items: { type: 'string' },
    description: 'Names of tags to remove.',
  },
  expected: {
    type: 'object',
    additionalProperties: { type: ['string', 'null'] },
    description:
      'The values the editor saw (null: the tag was absent). A difference with the current value is a 409 and nothing is written.',
  },
} as const;

const tagProblem = {
  type: 'object',
  required: ['tag', 'code', 'message'],
  properties: {
    tag: { type: 'string' },
    code: {
      type: 'string',
      enum: [
        'empty-name',
        'name-too-long',
        'forbidden-characters',
        'value-too-long',
        'invalid-value',
        'duplicate-name',
        'too-many-tags',
      ],
    },
    message: { type: 'string' },
  },
} as const;

const errorObject = {
  type: 'object',
  required: ['name', 'message'],
  properties: { name: { type: 'string' }, message: { type: 'string' } },
} as const;

const tagErrorSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: errorObject,
    response: {
      type: 'object',
      properties: { statusCode: { type: 'integer' } },
    },
    problems: {
      type: 'array',
      items: tagProblem,
      description: 'On a 400 for Azure’s tag rules: each offending tag.',
    },
    current: {
      type: 'object',
      additionalProperties: { type: ['string', 'null'] },
      description:
        'On a 409 conflict: the current value of each tag named in expected (null: absent).',
    },
    tags: {
      ...tagMap,
      description: 'On a 409 conflict: all of the resource’s current tags.',
    },
  },
} as const;

const tagErrorResponse = (description: string) =>
  ({
    description,
    content: { 'application/json': { schema: tagErrorSchema } },
  } as const);

const syncModeSchema = {
  type: 'string',
  enum: ['none', 'no-tags', 'read-tags', 'read-write-tags'],
} as const;

const tagUpdateResultSchema = {
  type: 'object',
  required: [
    'resourceId',
    'syncMode',
    'outcome',
    'before',
    'tags',
    'portalTags',
    'revision',
  ],
  properties: {
    resourceId: { type: 'string' },
    syncMode: syncModeSchema,
    outcome: {
      type: 'string',
      enum: ['written', 'portal-only', 'unchanged'],
      description:
        'written: sent to Azure (PATCH Merge / Delete of the changed keys only) and stored from its answer; portal-only: kept as portal-only tags under read-tags; unchanged: nothing to do.',
    },
    before: tagMap,
    tags: { ...tagMap, description: 'Azure’s tags after the change.' },
    portalTags: tagMap,
    revision: { type: 'integer' },
  },
} as const;

const writeErrors = {
  '400': tagErrorResponse(
    'The body or resource id is invalid, or a tag breaks Azure’s rules (problems names each tag). Nothing was written.',
  ),
  '401': { description: 'No valid Backstage user credentials.' },
  '403': tagErrorResponse(
    'azure-tenant.tags.update is denied on the resource’s entity, or Azure refused the portal’s service principal.',
  ),
  '404': tagErrorResponse(
    'The resource is not synced, or its subscription is not onboarded.',
  ),
  '409': tagErrorResponse(
    'Either a tag changed since the editor read it (current and tags hold the values now; nothing was written), or the subscription’s sync mode (none, no-tags) keeps no editable tags; the message names the mode and who can change it.',
  ),
  '503': tagErrorResponse('Azure could not be reached or failed.'),
} as const;

/** OpenAPI 3.1 path items of `GET /tags`, `PATCH /tags` and `POST /tags/bulk`. */
export const tagsOpenApiPaths = {
  '/tags': {
    get: {
      operationId: 'getTags',
      summary:
        'A resource’s tags: Azure’s from the last sync (and live ones on request), portal-only ones, and whether the caller may edit them.',
      parameters: [
        {
          name: 'resourceId',
          in: 'query',
          required: true,
          schema: resourceIdSchema,
        },
        {
          name: 'live',
          in: 'query',
          description: 'true: also read the tags from Azure now (liveTags).',
          schema: { type: 'string', enum: ['true', 'false'] },
        },
      ],
      responses: {
        '200': {
          description: 'The resource’s tags.',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: [
                  'resourceId',
                  'subscriptionId',
                  'syncMode',
                  'portalTags',
                  'revision',
                  'canEdit',
                ],
                properties: {
                  resourceId: { type: 'string' },
                  subscriptionId: { type: 'string' },
                  syncMode: syncModeSchema,
                  tags: {
                    ...tagMap,
                    description:
                      'Azure’s tags as of the last sync or write; absent under no-tags and none.',
                  },
                  liveTags: tagMap,
                  portalTags: tagMap,
                  revision: { type: 'integer' },
                  canEdit: { type: 'boolean' },
                  reason: {
                    type: 'object',
                    required: ['code', 'message'],
                    properties: {
                      code: {
                        type: 'string',
                        enum: ['permission', 'sync-mode', 'role'],
                      },
                      message: { type: 'string' },
                    },
                  },
                },
              },
            },
          },
        },
        '400': writeErrors['400'],
        '401': writeErrors['401'],
        '403': tagErrorResponse(
          'catalog.entity.read is denied on the resource’s entity.',
        ),
        '404': writeErrors['404'],
        '503': writeErrors['503'],
      },
    },
    patch: {
      operationId: 'updateTags',
      summary:
        'Changes a resource’s tags under its subscription’s sync mode. Needs azure-tenant.tags.update on the resource’s entity.',
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: {
              type: 'object',
              required: ['resourceId'],
              properties: {
                resourceId: resourceIdSchema,
                ...tagChangeProperties,
              },
            },
          },
        },
      },
      responses: {
        '200': {
          description: 'What the change did.',
          content: { 'application/json': { schema: tagUpdateResultSchema } },
        },
        ...writeErrors,
      },
    },
  },
  '/tags/bulk': {
    post: {
      operationId: 'updateTagsInBulk',
      summary:
        'The same change on many resources. Each resource gets its own result; one failure hides none of the others.',
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: {
              type: 'object',
              required: ['resourceIds'],
              properties: {
                resourceIds: {
                  type: 'array',
                  minItems: 1,
                  maxItems: 500,
                  items: { type: 'string' },
                },
                ...tagChangeProperties,
              },
            },
          },
        },
      },
      responses: {
        '200': {
          description:
            'One result per resource: status 200 with result, or the status and error a single PATCH /tags would have answered.',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['results', 'succeeded', 'failed'],
                properties: {
                  results: {
                    type: 'array',
                    items: {
                      type: 'object',
                      required: ['resourceId', 'status'],
                      properties: {
                        resourceId: { type: 'string' },
                        status: { type: 'integer' },
                        result: tagUpdateResultSchema,
                        error: errorObject,
                        problems: tagErrorSchema.properties.problems,
                        current: tagErrorSchema.properties.current,
                        tags: tagMap,
                      },
                    },
                  },
                  succeeded: { type: 'integer' },
                  failed: { type: 'integer' },
                },
              },
            },
          },
        },
        '400': writeErrors['400'],
        '401': writeErrors['401'],
      },
    },
  },
} as const;
