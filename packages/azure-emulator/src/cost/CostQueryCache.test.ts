import { CostQueryCache } from './CostQueryCache';
import { CostTable } from './costQuery';

const table = (rows: number): CostTable => ({
  columns: [{ name: 'Cost', type: 'Number' }],
  rows: Array.from({ length: rows }, (_, i) => [i]),
});

describe('CostQueryCache', () => {
  it('gives back an answer only for the query it was computed for', () => {
    const cache = new CostQueryCache();
    const answer = table(3);
    const id = cache.put('query-a', answer);
    expect(cache.get(id, 'query-a')).toBe(answer);
    expect(cache.get(id, 'query-b')).toBeUndefined();
    expect(cache.get('00000000-0000-0000-0000-000000000000', 'query-a')).toBe(
      undefined,
    );
    cache.delete(id);
    expect(cache.get(id, 'query-a')).toBeUndefined();
    expect(cache.size).toEqual({ answers: 0, rows: 0 });
  });

  it('drops the least recently used answers beyond its row budget', () => {
    const cache = new CostQueryCache({ maxRows: 10 });
    const a = cache.put('a', table(4));
    const b = cache.put('b', table(4));
    expect(cache.get(a, 'a')).toBeDefined();
    const c = cache.put('c', table(4));
    // b was used least recently.
    expect(cache.get(b, 'b')).toBeUndefined();
    expect(cache.get(a, 'a')).toBeDefined();
    expect(cache.get(c, 'c')).toBeDefined();
    expect(cache.size).toEqual({ answers: 2, rows: 8 });
  });

  it('drops answers left unused for too long', () => {
    let now = 0;
    const cache = new CostQueryCache({ idleMs: 1000, now: () => now });
    const a = cache.put('a', table(1));
    const b = cache.put('b', table(1));
    now = 800;
    expect(cache.get(b, 'b')).toBeDefined();
    now = 1500;
    expect(cache.get(a, 'a')).toBeUndefined();
    expect(cache.get(b, 'b')).toBeDefined();
  });
});
