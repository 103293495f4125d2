/**
 * Realistically messy tags: the same idea spelled several ways (`owner` next to `Owner`), team
 * names that match catalog groups (`team-platform`) next to ones that almost do (`Platform`),
 * and resources with no tags at all.
 */

/** Catalog group names the demo portal uses, and how people actually write them in tags. */
export const TEAM_SPELLINGS: Record<string, string[]> = {
  platform: [
    'team-platform',
    'team-platform',
    'Platform',
    'platform-team',
    'PLATFORM',
  ],
  payments: [
    'team-payments',
    'team-payments',
    'Payments',
    'payments',
    'Payments Team',
  ],
  data: ['team-data', 'team-data', 'Data', 'data-eng', 'team-Data'],
};

export const TEAMS = Object.keys(TEAM_SPELLINGS);

const ENVIRONMENTS = [
  ['env', 'prod'],
  ['env', 'dev'],
  ['Environment', 'Production'],
  ['environment', 'staging'],
  ['Env', 'Prod'],
  ['env', 'test'],
  ['Environment', 'Dev'],
] as const;

const COST_CENTERS = ['CC-1001', 'CC-1002', 'CC-2040', 'cc2040', 'FIN-77'];
const APPS = [
  'checkout',
  'ledger',
  'portal',
  'ingest',
  'reporting',
  'search',
  'identity',
  'billing',
];
const CREATORS = ['terraform', 'bicep', 'portal', 'Terraform', 'pulumi'];
const PEOPLE = [
  'alice@contoso.example',
  'bob@contoso.example',
  'carol@contoso.example',
];

/** Picks deterministically; `u(k)` returns a number in [0, 1) for each k. */
function pick<T>(items: readonly T[], u: number): T {
  return items[Math.floor(u * items.length) % items.length];
}

/** The team a resource belongs to, from a number in [0, 1). */
export function teamFor(u: number): string {
  return pick(TEAMS, u);
}

/** The application name of a resource. */
export function appFor(u: number): string {
  return pick(APPS, u);
}

/** Builds a messy tag set for a resource of the given team. */
export function messyTags(
  team: string,
  app: string,
  u: (k: number) => number,
): Record<string, string> {
  const tags: Record<string, string> = {};
  if (u(1) < 0.15) return tags; // untagged
  const ownerRoll = u(2);
  const ownerValue =
    u(3) < 0.12 ? pick(PEOPLE, u(4)) : pick(TEAM_SPELLINGS[team], u(5));
  if (ownerRoll < 0.45) tags.owner = ownerValue;
  else if (ownerRoll < 0.72) tags.Owner = ownerValue;
  else if (ownerRoll < 0.8) tags.team = ownerValue;
  if (u(6) < 0.8) {
    const [key, value] = pick(ENVIRONMENTS, u(7));
    tags[key] = value;
  }
  if (u(8) < 0.5)
    tags[u(9) < 0.6 ? 'costCenter' : 'CostCenter'] = pick(COST_CENTERS, u(10));
  if (u(11) < 0.6) tags.app = app;
  if (u(12) < 0.3) tags['created-by'] = pick(CREATORS, u(13));
  return tags;
}
