import { RequestLogEntry } from '@azure-tenant/azure-emulator';

// POSTs that only read: Cost Management queries and forecasts, and Resource Graph queries.
const READ_ONLY_POSTS = [
  /\/providers\/Microsoft\.CostManagement\/(query|forecast)$/i,
  /^\/providers\/Microsoft\.ResourceGraph\/resources$/i,
];

/** The requests in an emulator log that change something in Azure, as `METHOD /path`. */
export function azureWrites(requests: RequestLogEntry[]): string[] {
  return requests
    .filter(r => !['GET', 'HEAD'].includes(r.method))
    .filter(
      r => !r.path.includes('/oauth2/') && !r.path.startsWith('/_emulator'),
    )
    .filter(
      r => !(r.method === 'POST' && READ_ONLY_POSTS.some(p => p.test(r.path))),
    )
    .map(r => `${r.method} ${r.path}`);
}
