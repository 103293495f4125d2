/*
 * The backend of `npm run bench:catalog`, in its own process so that its CPU time and peak memory are its own:
 * backend-defaults' real services (database manager, scheduler, HTTP server) with Backstage's mock auth, the events
 * plugin and the catalog, plus either this repository's backend plugin and catalog module (BENCH_BACKEND_KIND=azure)
 * or the bench's trivial provider (BENCH_BACKEND_KIND=trivial). Run it with
 *
 *   node -e "require('@backstage/cli/config/nodeTransform.cjs'); require('<this file>')"
 *
 * and its whole config as JSON in BENCH_BACKEND_CONFIG. When it listens, it prints `{ "event": "ready" }` on stdout.
 */
import { createBackend } from '@backstage/backend-defaults';
import { mockServices } from '@backstage/backend-test-utils';
import { trivialProviderModule } from './trivialProviderModule';

const config = JSON.parse(process.env.BENCH_BACKEND_CONFIG ?? '{}');
const kind = process.env.BENCH_BACKEND_KIND ?? 'azure';

const backend = createBackend();
backend.add(mockServices.rootConfig.factory({ data: config }));
// Warnings only: the access log would print every request of the bench.
backend.add(mockServices.rootLogger.factory({ level: 'warn' }));
backend.add(mockServices.auth.factory());
backend.add(mockServices.httpAuth.factory());
backend.add(mockServices.permissions.factory());
backend.add(mockServices.permissionsRegistry.factory());
backend.add(import('@backstage/plugin-events-backend'));
backend.add(import('@backstage/plugin-catalog-backend'));
if (kind === 'trivial') {
  backend.add(trivialProviderModule);
} else {
  backend.add(import('@azure-tenant/plugin-azure-tenant-backend'));
  backend.add(
    import('@azure-tenant/plugin-catalog-backend-module-azure-tenant'),
  );
}

backend
  .start()
  .then(() => {
    process.stdout.write(`${JSON.stringify({ event: 'ready' })}\n`);
  })
  .catch(error => {
    process.stderr.write(`backend failed to start: ${error?.stack ?? error}\n`);
    process.exit(1);
  });
