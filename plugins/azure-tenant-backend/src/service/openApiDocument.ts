import { spendOpenApiPaths } from '../spend';
import { tagsOpenApiPaths } from '../tags';

/*
 * The OpenAPI 3.1 document of the Azure tenant plugin's REST API, served at `/api/azure-tenant/openapi.json`.
 * Requests are validated against it before they reach a handler; a request that does not match gets a 400.
 */

const guid = {
  type: 'string',
  pattern:
    '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$',
} as const;

const errorResponse = {
  description:
    'A Backstage error: `{ error: { name, message }, response: { statusCode } }`',
  content: {
    'application/json': { schema: { $ref: '#/components/schemas/Error' } },
  },
} as const;

const subscriptionIdParameter = {
  name: 'subscriptionId',
  in: 'path',
  required: true,
  schema: guid,
} as const;

export const openApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'azure-tenant',
    version: '1',
    description:
      'Connects Azure tenants to Backstage: consent, role assignment, subscriptions and their sync modes.',
    license: {
      name: 'Apache-2.0',
      url: 'http://www.apache.org/licenses/LICENSE-2.0.html',
    },
  },
  servers: [{ url: '/' }],
  components: {
    schemas: {
      Error: {
        type: 'object',
        properties: {
          error: {
            type: 'object',
            properties: {
              name: { type: 'string' },
              message: { type: 'string' },
            },
            required: ['name', 'message'],
          },
          response: {
            type: 'object',
            properties: { statusCode: { type: 'integer' } },
          },
        },
        required: ['error'],
      },
      SyncMode: {
        type: 'string',
        enum: ['none', 'no-tags', 'read-tags', 'read-write-tags'],
      },
      RoleAssignmentResult: {
        type: 'object',
        properties: {
          subscriptionId: { type: 'string' },
          subscriptionName: { type: 'string' },
          roleName: { type: 'string' },
          outcome: {
            type: 'string',
            enum: [
              'assigned',
              'already-present',
              'skipped-not-owner',
              'failed',
            ],
          },
          reason: { type: 'string' },
        },
        required: ['subscriptionId', 'subscriptionName', 'roleName', 'outcome'],
      },
      Onboarding: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          kind: { type: 'string', enum: ['connect', 'add-subscriptions'] },
          status: {
            type: 'string',
            enum: ['pending', 'running', 'succeeded', 'failed', 'expired'],
          },
          startedBy: { type: 'string' },
          tenantId: { type: 'string' },
          createdAt: { type: 'string', format: 'date-time' },
          completedAt: { type: 'string', format: 'date-time' },
          error: { type: 'string' },
          partnerAdminLink: {
            type: 'string',
            enum: ['associated', 'already-associated', 'failed'],
          },
          results: {
            type: 'array',
            items: { $ref: '#/components/schemas/RoleAssignmentResult' },
          },
        },
        required: ['id', 'kind', 'status', 'startedBy', 'createdAt', 'results'],
      },
      Tenant: {
        type: 'object',
        properties: {
          tenantId: { type: 'string' },
          displayName: { type: 'string' },
          source: { type: 'string', enum: ['onboarding', 'config'] },
          servicePrincipalId: { type: 'string' },
          connectedBy: { type: 'string' },
          connectedAt: { type: 'string', format: 'date-time' },
          subscriptionCount: { type: 'integer' },
        },
        required: ['tenantId', 'source', 'connectedAt', 'subscriptionCount'],
      },
      Subscription: {
        type: 'object',
        properties: {
          subscriptionId: { type: 'string' },
          tenantId: { type: 'string' },
          displayName: { type: 'string' },
          state: { type: 'string' },
          syncMode: { $ref: '#/components/schemas/SyncMode' },
          roleStatus: {
            type: 'string',
            enum: ['granted', 'partial', 'missing', 'unknown'],
          },
          grantedRoles: { type: 'array', items: { type: 'string' } },
          source: { type: 'string', enum: ['onboarding', 'config'] },
          syncRequestedAt: { type: 'string', format: 'date-time' },
          lastSync: {
            type: 'object',
            properties: {
              status: { type: 'string', enum: ['succeeded', 'failed'] },
              finishedAt: { type: 'string', format: 'date-time' },
              error: { type: 'string' },
            },
            required: ['status', 'finishedAt'],
          },
        },
        required: [
          'subscriptionId',
          'tenantId',
          'displayName',
          'syncMode',
          'roleStatus',
          'grantedRoles',
          'source',
        ],
      },
    },
  },
  paths: {
    ...spendOpenApiPaths,
    ...tagsOpenApiPaths,
    '/catalog/resources': {
      get: {
        operationId: 'listCatalogResources',
        description:
          'Every synced resource, for the catalog module. Service credentials only. Page with `cursor`; `revision` is where `GET /catalog/changes` continues.',
        parameters: [
          {
            name: 'cursor',
            in: 'query',
            schema: { type: 'string', maxLength: 4096 },
          },
          {
            name: 'limit',
            in: 'query',
            schema: { type: 'string', pattern: '^[0-9]{1,4}$' },
          },
        ],
        responses: {
          '200': { description: 'A page of resources (`AzureResourcePage`)' },
          '401': errorResponse,
        },
      },
    },
    '/catalog/changes': {
      get: {
        operationId: 'listCatalogChanges',
        description:
          'Resources changed or removed after a revision, oldest first, for the catalog module. Service credentials only.',
        parameters: [
          {
            name: 'after',
            in: 'query',
            schema: { type: 'string', pattern: '^[0-9]{1,15}$' },
          },
          {
            name: 'limit',
            in: 'query',
            schema: { type: 'string', pattern: '^[0-9]{1,4}$' },
          },
        ],
        responses: {
          '200': { description: 'Changes (`AzureResourceChanges`)' },
          '400': errorResponse,
          '401': errorResponse,
        },
      },
    },
    '/health': {
      get: {
        operationId: 'getHealth',
        description:
          'Whether the plugin runs, and whether it is configured. Needs no credentials.',
        responses: {
          '200': {
            description: 'OK',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: {
                    status: { type: 'string' },
                    configured: { type: 'boolean' },
                  },
                  required: ['status'],
                },
              },
            },
          },
        },
      },
    },
    '/onboarding/start': {
      post: {
        operationId: 'startOnboarding',
        description:
          'Starts connecting a tenant (or adding more of its subscriptions). Permission `azure-tenant.tenant.connect`. Send the browser to `authorizeUrl`; the state expires in 10 minutes.',
        requestBody: {
          required: false,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                properties: {
                  kind: {
                    type: 'string',
                    enum: ['connect', 'add-subscriptions'],
                  },
                },
                additionalProperties: false,
              },
            },
          },
        },
        responses: {
          '200': {
            description: 'Where to send the browser',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: {
                    onboardingId: { type: 'string' },
                    authorizeUrl: { type: 'string' },
                    expiresAt: { type: 'string', format: 'date-time' },
                  },
                  required: ['onboardingId', 'authorizeUrl', 'expiresAt'],
                },
              },
            },
          },
          '400': errorResponse,
          '401': errorResponse,
          '403': errorResponse,
          '503': errorResponse,
        },
      },
    },
    '/onboarding/callback': {
      get: {
        operationId: 'onboardingCallback',
        description:
          "The browser's redirect back from Microsoft Entra ID. Bound to the user who started the onboarding by its one-time `state`, so it needs no Backstage credentials. Redirects to the portal's Azure tenants page, or answers with an HTML error page.",
        parameters: [
          { name: 'state', in: 'query', schema: { type: 'string' } },
          { name: 'code', in: 'query', schema: { type: 'string' } },
          { name: 'error', in: 'query', schema: { type: 'string' } },
          {
            name: 'error_description',
            in: 'query',
            schema: { type: 'string' },
          },
        ],
        responses: {
          '302': { description: 'Onboarding runs; see GET /onboardings/{id}' },
          '400': {
            description: 'Forged, expired or denied: an HTML error page',
          },
          '409': { description: 'Replayed: an HTML error page' },
          '502': {
            description: 'Entra ID refused the code: an HTML error page',
          },
        },
      },
    },
    '/onboardings/{onboardingId}': {
      get: {
        operationId: 'getOnboarding',
        description:
          'An onboarding and its result for each subscription and role. Permission `azure-tenant.tenant.read`.',
        parameters: [
          { name: 'onboardingId', in: 'path', required: true, schema: guid },
        ],
        responses: {
          '200': {
            description: 'The onboarding',
            content: {
              'application/json': {
                schema: { $ref: '#/components/schemas/Onboarding' },
              },
            },
          },
          '401': errorResponse,
          '403': errorResponse,
          '404': errorResponse,
        },
      },
    },
    '/tenants': {
      get: {
        operationId: 'listTenants',
        description:
          'Connected tenants. Permission `azure-tenant.tenant.read`.',
        responses: {
          '200': {
            description: 'The tenants',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: {
                    items: {
                      type: 'array',
                      items: { $ref: '#/components/schemas/Tenant' },
                    },
                  },
                  required: ['items'],
                },
              },
            },
          },
          '401': errorResponse,
          '403': errorResponse,
        },
      },
    },
    '/subscriptions': {
      get: {
        operationId: 'listSubscriptions',
        description:
          'Onboarded subscriptions with their role status, sync mode and last sync. Permission `azure-tenant.tenant.read`.',
        parameters: [{ name: 'tenantId', in: 'query', schema: guid }],
        responses: {
          '200': {
            description: 'The subscriptions',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: {
                    items: {
                      type: 'array',
                      items: { $ref: '#/components/schemas/Subscription' },
                    },
                  },
                  required: ['items'],
                },
              },
            },
          },
          '400': errorResponse,
          '401': errorResponse,
          '403': errorResponse,
        },
      },
    },
    '/subscriptions/{subscriptionId}/sync-mode': {
      put: {
        operationId: 'setSyncMode',
        description:
          "Changes a subscription's sync mode. Permission `azure-tenant.subscription.manage`.",
        parameters: [subscriptionIdParameter],
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                properties: {
                  syncMode: { $ref: '#/components/schemas/SyncMode' },
                },
                required: ['syncMode'],
                additionalProperties: false,
              },
            },
          },
        },
        responses: {
          '200': {
            description: 'The updated subscription',
            content: {
              'application/json': {
                schema: { $ref: '#/components/schemas/Subscription' },
              },
            },
          },
          '400': errorResponse,
          '401': errorResponse,
          '403': errorResponse,
          '404': errorResponse,
        },
      },
    },
    '/subscriptions/{subscriptionId}/sync': {
      post: {
        operationId: 'requestSync',
        description:
          "Asks for the subscription's sync to run now, outside its schedule. Permission `azure-tenant.subscription.sync`.",
        parameters: [subscriptionIdParameter],
        responses: {
          '202': {
            description: 'The sync was requested',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: {
                    subscriptionId: { type: 'string' },
                    syncRequestedAt: { type: 'string', format: 'date-time' },
                  },
                  required: ['subscriptionId', 'syncRequestedAt'],
                },
              },
            },
          },
          '401': errorResponse,
          '403': errorResponse,
          '404': errorResponse,
        },
      },
    },
  },
} as const;
