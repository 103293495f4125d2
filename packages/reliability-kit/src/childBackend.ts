/*
 * A backend with the azure-tenant plugin in a child process, for the kill/restart test and `npm run bench:load`:
 * run it with
 *
 *   node -e "require('@backstage/cli/config/nodeTransform.cjs'); require('<this file>')"
 *
 * and its whole config as JSON in REL_BACKEND_CONFIG. It uses backend-defaults' real services (database manager,
 * scheduler, HTTP server) and Backstage's mock auth, so that tests can call it with `mockCredentials` headers. When it
 * listens, it prints one JSON line `{ "event": "ready" }` to stdout.
 */
import { createBackend } from '@backstage/backend-defaults';
import { mockServices } from '@backstage/backend-test-utils';

const config = JSON.parse(process.env.REL_BACKEND_CONFIG ?? '{}');

const backend = createBackend();
backend.add(mockServices.rootConfig.factory({ data: config }));
backend.add(mockServices.auth.factory());
backend.add(mockServices.httpAuth.factory());
backend.add(mockServices.permissions.factory());
backend.add(mockServices.permissionsRegistry.factory());
backend.add(import('@backstage/plugin-events-backend'));
backend.add(import('@azure-tenant/plugin-azure-tenant-backend'));

backend
  .start()
  .then(() => {
    process.stdout.write(`${JSON.stringify({ event: 'ready' })}\n`);
  })
  .catch(error => {
    process.stderr.write(`backend failed to start: ${error?.stack ?? error}\n`);
    process.exit(1);
  });
