/**
 * Looks for secrets in text a process printed: each value (and, for a long one, its first 24 characters, which
 * would give it away alone), and anything shaped like a JWT (Entra ID's access and ID tokens). Returns one line per
 * find, with the line of output it was in; none when the text is clean.
 */
export function findSecrets(
  output: string,
  secrets: Record<string, string[]>,
): string[] {
  // Colours of a terminal logger would split nothing, but keep the report readable.
  // eslint-disable-next-line no-control-regex
  const lines = output.replace(/\u001b\[[0-9;]*m/g, '').split('\n');
  const found: string[] = [];
  for (const [kind, values] of Object.entries(secrets)) {
    for (const value of values) {
      const pieces = value.length >= 32 ? [value, value.slice(0, 24)] : [value];
      const line = lines.find(l => pieces.some(piece => l.includes(piece)));
      if (line) found.push(`${kind}: ${line.slice(0, 300)}`);
    }
  }
  const jwt = lines.find(l => /eyJ[\w-]{10,}\.eyJ[\w-]{10,}\./.test(l));
  if (jwt) found.push(`a JWT: ${jwt.slice(0, 300)}`);
  return found;
}
