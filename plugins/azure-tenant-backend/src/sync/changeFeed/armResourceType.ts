/**
 * The ARM type of a resource from its id, in the id's casing, as a full ARM listing gives it: the namespace after the
 * last `/providers/` and each type segment after it (`/providers/Microsoft.Sql/servers/s1/databases/d1` is
 * `Microsoft.Sql/servers/databases`). Undefined when the id names no provider resource.
 */
export function armResourceTypeOfId(resourceId: string): string | undefined {
  const segments = resourceId.split('/');
  let providers = -1;
  for (let i = 0; i < segments.length; i++) {
    if (segments[i].toLowerCase() === 'providers') providers = i;
  }
  if (providers < 0) return undefined;
  const namespace = segments[providers + 1];
  const rest = segments.slice(providers + 2);
  if (!namespace || rest.length < 2 || rest.length % 2 !== 0) return undefined;
  const types = rest.filter((_, i) => i % 2 === 0);
  return [namespace, ...types].join('/');
}
