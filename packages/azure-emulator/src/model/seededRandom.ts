import { createHash } from 'node:crypto';

/**
 * Deterministic, seedable numbers. Everything the emulator generates (resources, costs, object ids)
 * comes from these, so the same seed always gives the same tenant.
 */

/** Mixes integers into one well-distributed unsigned 32-bit integer. */
export function hash32(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const part of parts) {
    let k = part | 0;
    k = Math.imul(k ^ (k >>> 16), 0x85ebca6b);
    k = Math.imul(k ^ (k >>> 13), 0xc2b2ae35);
    k ^= k >>> 16;
    h = Math.imul(h ^ k, 0x01000193);
    h ^= h >>> 15;
  }
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}

/** A number in [0, 1) derived from the parts. */
export function unitInterval(...parts: number[]): number {
  return hash32(...parts) / 4294967296;
}

/** A 32-bit hash of a string (FNV-1a). */
export function hashString(value: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < value.length; i++) {
    h ^= value.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Picks an element with the given weights, using a number in [0, 1). */
export function pickWeighted<T>(
  items: readonly T[],
  weights: readonly number[],
  u: number,
): T {
  const total = weights.reduce((a, b) => a + b, 0);
  let acc = 0;
  const target = u * total;
  for (let i = 0; i < items.length; i++) {
    acc += weights[i];
    if (target < acc) return items[i];
  }
  return items[items.length - 1];
}

/** A name-based (version 5 style) GUID, stable for the same inputs. */
export function deterministicGuid(...names: string[]): string {
  const bytes = createHash('sha1').update(names.join('\u0000')).digest();
  bytes[6] = (bytes[6] & 0x0f) | 0x50;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(
    12,
    16,
  )}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
