import https from 'node:https';

/**
 * Plays the browser at the emulator's Entra ID: opens the authorize URL as the user named by `loginHint`, answers
 * the consent page, and returns the query of the redirect back to the portal (code and state, or an error).
 */
export async function signInAtEmulator(
  authorizeUrl: string,
  options: { caCert: string; loginHint: string; decision?: 'accept' | 'deny' },
): Promise<URLSearchParams> {
  const url = new URL(authorizeUrl);
  url.searchParams.set('login_hint', options.loginHint);
  url.searchParams.set('emulator_decision', options.decision ?? 'accept');
  const location = await new Promise<string>((resolve, reject) => {
    https
      .get(url, { ca: options.caCert }, response => {
        response.resume();
        const target = response.headers.location;
        if (response.statusCode !== 302 || !target) {
          reject(
            new Error(
              `the emulator answered ${response.statusCode}, not a redirect`,
            ),
          );
        } else {
          resolve(target);
        }
      })
      .on('error', reject);
  });
  return new URL(location).searchParams;
}
