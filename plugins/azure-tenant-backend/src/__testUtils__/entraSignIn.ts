import https from 'node:https';
import { readFormPostPage } from '@azure-tenant/azure-emulator';

/**
 * Plays the browser at the emulator's Entra ID: opens the authorize URL as the user named by `loginHint`, answers
 * the consent page, and returns the form that Entra ID's page posts back to the portal (`response_mode=form_post`:
 * code and state, or an error).
 */
export async function signInAtEmulator(
  authorizeUrl: string,
  options: { caCert: string; loginHint: string; decision?: 'accept' | 'deny' },
): Promise<URLSearchParams> {
  const url = new URL(authorizeUrl);
  url.searchParams.set('login_hint', options.loginHint);
  url.searchParams.set('emulator_decision', options.decision ?? 'accept');
  const page = await new Promise<{ status?: number; html: string }>(
    (resolve, reject) => {
      https
        .get(url, { ca: options.caCert }, response => {
          let html = '';
          response.setEncoding('utf8');
          response.on('data', chunk => (html += chunk));
          response.on('end', () =>
            resolve({ status: response.statusCode, html }),
          );
        })
        .on('error', reject);
    },
  );
  const form = page.status === 200 ? readFormPostPage(page.html) : undefined;
  if (!form) {
    throw new Error(
      `the emulator answered ${page.status}, not a page that posts back to the portal`,
    );
  }
  return form.fields;
}
