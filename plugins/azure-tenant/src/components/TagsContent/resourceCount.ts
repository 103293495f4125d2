/** `1 resource`, `2 resources`: a count of resources as a user reads it. */
export function resourceCount(count: number): string {
  return `${count} ${count === 1 ? 'resource' : 'resources'}`;
}
