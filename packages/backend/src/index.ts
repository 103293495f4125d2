/*
 * The demo portal's backend: Backstage's new backend system with the catalog, guest sign-in, a real permission
 * policy, the scheduler and events, notifications and signals (as a create-app portal has them), the Azure tenant
 * plugins of this repository, and an MCP server for their actions.
 */
import { createBackend } from '@backstage/backend-defaults';
import { demoPermissionPolicyModule } from './permissionPolicy';

const backend = createBackend();

backend.add(import('@backstage/plugin-app-backend'));

backend.add(import('@backstage/plugin-auth-backend'));
backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));

backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(import('@backstage/plugin-catalog-backend-module-logs'));

backend.add(import('@backstage/plugin-events-backend'));

// Budget and anomaly alerts reach their owners as notifications; signals push them to an open portal at once.
backend.add(import('@backstage/plugin-notifications-backend'));
backend.add(import('@backstage/plugin-signals-backend'));

backend.add(import('@backstage/plugin-permission-backend'));
backend.add(demoPermissionPolicyModule);

// The Azure tenant plugins of this repository.
backend.add(import('@azure-tenant/plugin-azure-tenant-backend'));
backend.add(import('@azure-tenant/plugin-catalog-backend-module-azure-tenant'));

// Serves the actions of the plugins in `backend.actions.pluginSources` to MCP clients at /api/mcp-actions/v1, each
// call made with the caller's own token (docs/automation.md).
backend.add(import('@backstage/plugin-mcp-actions-backend'));

backend.start();
