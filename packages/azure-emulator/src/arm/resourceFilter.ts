import { ArmError } from '../errors/ArmError';
import { ResourceRecord } from '../model/ResourceRecord';

/**
 * A compiled `$filter` for resource lists.
 *
 * @public
 */
export type ResourceFilter = (resource: ResourceRecord) => boolean;

type Clause = (resource: ResourceRecord) => boolean;

const QUOTED = `'((?:[^']|'')*)'`;
const EQ = new RegExp(
  `^(resourceType|name|location|resourceGroup|tagName|tagValue|plan)\\s+eq\\s+${QUOTED}$`,
  'i',
);
const SUBSTRING_OF = new RegExp(
  `^substringof\\(\\s*${QUOTED}\\s*,\\s*name\\s*\\)$`,
  'i',
);
const STARTS_WITH = new RegExp(
  `^startswith\\(\\s*(tagName|tagValue|name)\\s*,\\s*${QUOTED}\\s*\\)$`,
  'i',
);

const unquote = (value: string) => value.replace(/''/g, "'");

/**
 * Compiles the `$filter` that ARM's resource lists accept: `resourceType eq`, `name eq`,
 * `substringof('x', name)`, `location eq`, `resourceGroup eq`, `tagName eq` (with `tagValue eq`)
 * and `startswith(tagName|tagValue|name, 'x')`, joined by `and` and `or`.
 */
export function compileResourceFilter(filter: string | null): ResourceFilter {
  if (!filter || !filter.trim()) return () => true;
  const alternatives = filter
    .split(/\s+or\s+/i)
    .map(part => part.split(/\s+and\s+/i).map(c => c.trim()));
  const compiled = alternatives.map(clauses =>
    compileConjunction(clauses, filter),
  );
  return resource => compiled.some(conjunction => conjunction(resource));
}

function compileConjunction(clauses: string[], filter: string): Clause {
  let tagName: string | undefined;
  let tagValue: string | undefined;
  const checks: Clause[] = [];
  for (const raw of clauses) {
    const clause = raw.replace(/^\(+|\)+$/g, '').trim();
    const eq = EQ.exec(clause);
    if (eq) {
      const field = eq[1].toLowerCase();
      const value = unquote(eq[2]);
      const lower = value.toLowerCase();
      if (field === 'tagname') tagName = value;
      else if (field === 'tagvalue') tagValue = value;
      else if (field === 'resourcetype')
        checks.push(r => r.type.toLowerCase() === lower);
      else if (field === 'name')
        checks.push(r => r.name.toLowerCase() === lower);
      else if (field === 'location')
        checks.push(r => r.location.toLowerCase() === lower);
      else if (field === 'resourcegroup')
        checks.push(r => r.resourceGroup.toLowerCase() === lower);
      else checks.push(() => false);
      continue;
    }
    const substring = SUBSTRING_OF.exec(clause);
    if (substring) {
      const needle = unquote(substring[1]).toLowerCase();
      checks.push(r => r.name.toLowerCase().includes(needle));
      continue;
    }
    const startsWith = STARTS_WITH.exec(clause);
    if (startsWith) {
      const field = startsWith[1].toLowerCase();
      const prefix = unquote(startsWith[2]).toLowerCase();
      if (field === 'name')
        checks.push(r => r.name.toLowerCase().startsWith(prefix));
      else if (field === 'tagname')
        checks.push(r =>
          Object.keys(r.tags).some(k => k.toLowerCase().startsWith(prefix)),
        );
      else
        checks.push(r =>
          Object.values(r.tags).some(v => v.toLowerCase().startsWith(prefix)),
        );
      continue;
    }
    throw new ArmError(
      400,
      'InvalidFilterInQueryString',
      `Invalid $filter '${filter}' specified in the query string.`,
    );
  }
  if (tagValue !== undefined && tagName === undefined) {
    throw new ArmError(
      400,
      'InvalidFilterInQueryString',
      `Invalid $filter '${filter}': tagValue can only be used together with tagName.`,
    );
  }
  if (tagName !== undefined) {
    const name = tagName.toLowerCase();
    const value = tagValue;
    checks.push(r =>
      Object.entries(r.tags).some(
        ([k, v]) =>
          k.toLowerCase() === name && (value === undefined || v === value),
      ),
    );
  }
  return resource => checks.every(check => check(resource));
}
