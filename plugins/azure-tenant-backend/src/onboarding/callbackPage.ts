const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, c => ESCAPES[c]);
}

/**
 * The page a browser sees when the redirect from Entra ID cannot complete an onboarding. It is served by the
 * backend, so it stands alone: no script, and a link back to the portal's Azure tenants page.
 */
export function callbackErrorPage(options: {
  title: string;
  message: string;
  portalUrl: string;
}): string {
  const title = escapeHtml(options.title);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${title}</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; padding: 0 1rem; color: #222; }
h1 { font-size: 1.5rem; }
a { color: #0b57d0; }
</style>
</head>
<body>
<main>
<h1>${title}</h1>
<p>${escapeHtml(options.message)}</p>
<p><a href="${escapeHtml(
    options.portalUrl,
  )}">Back to the Azure tenants page</a></p>
</main>
</body>
</html>
`;
}
