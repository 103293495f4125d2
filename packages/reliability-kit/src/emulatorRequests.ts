/*
 * What a test reads from or injects into the emulator: its request log (what the plugin asked Azure), the faults of
 * the fault matrices, and its Entra ID sign-in, played as a browser would.
 */
import https from 'node:https';
import {
  AzureEmulator,
  FaultSpec,
  readFormPostPage,
  RequestLogEntry,
} from '@azure-tenant/azure-emulator';

/** The Azure SDK's own retry count (`@azure/core-rest-pipeline`: 3 retries after the first try). */
export const SDK_MAX_TRIES = 4;

/** The highest sequence number in the emulator's request log so far. */
export function logMark(emulator: AzureEmulator): number {
  return emulator.control.requests().at(-1)?.seq ?? 0;
}

/** Requests after `since` whose method and path match. */
export function requestsSince(
  emulator: AzureEmulator,
  since: number,
  match: { method?: string; path?: RegExp } = {},
): RequestLogEntry[] {
  return emulator.control
    .requests(since)
    .filter(
      r =>
        (!match.method || r.method === match.method) &&
        (!match.path || match.path.test(r.path)),
    );
}

/** The faults of a matrix: what each does, by name. */
export const FAULTS: Record<string, Omit<FaultSpec, 'match'>> = {
  '429 Retry-After': { status: 429, retryAfterSeconds: 1 },
  '500': { status: 500 },
  '503 Retry-After': { status: 503, retryAfterSeconds: 1 },
  'connection reset': { reset: true },
  'malformed JSON': { malformed: true },
};

/** The subscription ids of the emulator's tenant (a generated one, say), in its order. */
export function emulatorSubscriptions(emulator: AzureEmulator): string[] {
  return (
    emulator.control.summary().subscriptions as Array<{
      subscriptionId: string;
    }>
  ).map(s => s.subscriptionId);
}

/**
 * Plays the browser at the emulator's Entra ID: opens the authorize URL as the demo user, accepts the consent page,
 * and returns the form that Entra ID's page posts back to the portal (`response_mode=form_post`: code and state).
 */
export function signInAtEmulator(
  authorizeUrl: string,
  caCert: string,
  loginHint: string,
): Promise<URLSearchParams> {
  const url = new URL(authorizeUrl);
  url.searchParams.set('login_hint', loginHint);
  url.searchParams.set('emulator_decision', 'accept');
  return new Promise((resolve, reject) => {
    https
      .get(url, { ca: caCert }, response => {
        let html = '';
        response.setEncoding('utf8');
        response.on('data', chunk => (html += chunk));
        response.on('end', () => {
          const form =
            response.statusCode === 200 ? readFormPostPage(html) : undefined;
          if (form) resolve(form.fields);
          else
            reject(new Error(`the emulator answered ${response.statusCode}`));
        });
      })
      .on('error', reject);
  });
}

// Requests that change nothing in Azure although they are not GETs: Entra ID's token endpoint, and Cost Management
// and Resource Graph queries.
const READ_ONLY = [
  /\/oauth2\/v2\.0\/token$/i,
  /\/providers\/Microsoft\.CostManagement\/(query|forecast)$/i,
  /^\/providers\/Microsoft\.ResourceGraph\/resources$/i,
];

/** The requests in an emulator log that could change something in Azure, as `METHOD /path`. */
export function azureWrites(requests: RequestLogEntry[]): string[] {
  return requests
    .filter(r => !['GET', 'HEAD'].includes(r.method))
    .filter(r => !(r.method === 'POST' && READ_ONLY.some(p => p.test(r.path))))
    .map(r => `${r.method} ${r.path}`);
}
