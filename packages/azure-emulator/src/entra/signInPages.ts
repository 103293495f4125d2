import { escapeHtml } from '../http/EmulatorHttp';
import { FixtureUser } from '../model/fixture';

const STYLE = `body{font-family:Segoe UI,Helvetica,Arial,sans-serif;background:#f2f2f2;margin:0}
main{max-width:440px;margin:60px auto;background:#fff;padding:36px 44px;box-shadow:0 2px 6px rgba(0,0,0,.2)}
h1{font-size:24px;font-weight:600;margin:0 0 16px}p{color:#1b1b1b}.emu{color:#666;font-size:12px}
button{display:block;width:100%;text-align:left;padding:12px;margin:8px 0;border:1px solid #ccc;background:#fff;cursor:pointer;font-size:15px}
button:hover{background:#e6e6e6}.row{display:flex;gap:8px;justify-content:flex-end}.row button{width:auto;text-align:center;min-width:108px}
.primary{background:#0067b8;color:#fff;border-color:#0067b8}.error{color:#a80000}`;

function page(title: string, content: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(
    title,
  )}</title><style>${STYLE}</style></head>
<body><main>${content}<p class="emu">Azure Tenant Emulator, a local stand-in for Microsoft Entra ID.</p></main></body></html>`;
}

function hiddenInputs(params: URLSearchParams, skip: string[]): string {
  return [...params.entries()]
    .filter(([name]) => !skip.includes(name))
    .map(
      ([name, value]) =>
        `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(
          value,
        )}">`,
    )
    .join('');
}

/** The account picker: one button per user who may sign in here. */
export function signInPage(
  action: string,
  params: URLSearchParams,
  users: Array<{ user: FixtureUser; tenantName: string }>,
): string {
  const buttons = users
    .map(
      ({ user, tenantName }) =>
        `<button type="submit" name="emulator_user" value="${escapeHtml(
          user.oid,
        )}" data-upn="${escapeHtml(user.userPrincipalName)}">` +
        `<strong>${escapeHtml(
          user.displayName ?? user.userPrincipalName,
        )}</strong><br>` +
        `<small>${escapeHtml(user.userPrincipalName)} · ${escapeHtml(
          tenantName,
        )}</small></button>`,
    )
    .join('');
  return page(
    'Sign in to your account',
    `<h1>Pick an account</h1><form method="post" action="${escapeHtml(
      action,
    )}">${hiddenInputs(params, [
      'emulator_user',
      'emulator_decision',
    ])}${buttons}</form>`,
  );
}

/** The consent prompt, with Accept and Cancel. */
export function consentPage(
  action: string,
  params: URLSearchParams,
  options: {
    user: FixtureUser;
    appName: string;
    tenantName: string;
    scopes: string[];
  },
): string {
  const permissions = options.scopes
    .map(s => `<li>${escapeHtml(s)}</li>`)
    .join('');
  return page(
    'Permissions requested',
    `<h1>Permissions requested</h1>
<p><strong>${escapeHtml(
      options.appName,
    )}</strong> wants to access resources in <strong>${escapeHtml(
      options.tenantName,
    )}</strong> as
${escapeHtml(
  options.user.userPrincipalName,
)}. Accepting consents on behalf of your organization and creates the app's service principal in the tenant.</p>
<ul>${permissions}</ul>
<form method="post" action="${escapeHtml(action)}">${hiddenInputs(params, [
      'emulator_decision',
    ])}
<div class="row"><button type="submit" name="emulator_decision" value="cancel">Cancel</button>
<button class="primary" type="submit" name="emulator_decision" value="accept">Accept</button></div></form>`,
  );
}

/** An error page, for requests that cannot be redirected back to the app. */
export function errorPage(description: string): string {
  return page(
    'Sign in error',
    `<h1>Sorry, but we're having trouble signing you in.</h1><p class="error">${escapeHtml(
      description,
    )}</p>`,
  );
}

/**
 * The answer of `response_mode=form_post`, as Entra ID sends it: an HTML page (200) holding a form with one hidden
 * input per response parameter, submitted by script as an `application/x-www-form-urlencoded` POST to the redirect
 * URI, so that the code and the state never travel in a URL. Without script, a Submit button does it.
 */
export function formPostPage(
  action: string,
  fields: Array<[string, string]>,
): string {
  const inputs = fields
    .map(
      ([name, value]) =>
        `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(
          value,
        )}" />`,
    )
    .join('');
  return `<html><head><title>Working...</title></head><body><form method="POST" name="hiddenform" action="${escapeHtml(
    action,
  )}">${inputs}<noscript><p>Script is disabled. Click Submit to continue.</p><input type="submit" value="Submit" /></noscript></form><script>document.forms[0].submit();</script></body></html>`;
}

const ENTITIES: Record<string, string> = {
  '&amp;': '&',
  '&lt;': '<',
  '&gt;': '>',
  '&quot;': '"',
  '&#39;': "'",
};

function unescapeHtml(text: string): string {
  return text.replace(/&(?:amp|lt|gt|quot|#39);/g, entity => ENTITIES[entity]);
}

/**
 * Reads a {@link formPostPage}, as a browser would submit it: the form's action and its fields. For tests that play
 * the browser; undefined when the page holds no such form.
 */
export function readFormPostPage(
  html: string,
): { action: string; fields: URLSearchParams } | undefined {
  const form = /<form method="POST" name="hiddenform" action="([^"]*)">/.exec(
    html,
  );
  if (!form) return undefined;
  const fields = new URLSearchParams();
  for (const [, name, value] of html.matchAll(
    /<input type="hidden" name="([^"]*)" value="([^"]*)" \/>/g,
  )) {
    fields.append(unescapeHtml(name), unescapeHtml(value));
  }
  return { action: unescapeHtml(form[1]), fields };
}
