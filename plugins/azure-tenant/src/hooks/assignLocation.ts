/**
 * Sends the browser to another site, leaving the portal.
 *
 * It has a module of its own so tests can replace it: jsdom's `window.location` cannot be redefined or spied on.
 */
export function assignLocation(url: string): void {
  window.location.assign(url);
}
