import { jsonNestsDeeperThan, MAX_JSON_DEPTH } from './json-depth';

const nested = (depth: number, open = '[', close = ']'): Buffer => Buffer.from(open.repeat(depth) + close.repeat(depth));

describe('jsonNestsDeeperThan', () => {
  it('allows up to the limit, refuses one level more, for arrays, objects and mixes', () => {
    expect(jsonNestsDeeperThan(nested(MAX_JSON_DEPTH))).toBe(false);
    expect(jsonNestsDeeperThan(nested(MAX_JSON_DEPTH + 1))).toBe(true);
    expect(jsonNestsDeeperThan(Buffer.from(`${'{"a":'.repeat(MAX_JSON_DEPTH + 1)}1${'}'.repeat(MAX_JSON_DEPTH + 1)}`))).toBe(true);
    expect(jsonNestsDeeperThan(Buffer.from(`${'{"a":['.repeat(16)}1${']}'.repeat(16)}`))).toBe(false);
  });

  it('counts depth, not brackets: many siblings are fine', () => {
    expect(jsonNestsDeeperThan(Buffer.from(JSON.stringify(Array.from({ length: 10_000 }, () => [[1]]))))).toBe(false);
  });

  it('ignores brackets inside strings, honouring escaped quotes', () => {
    expect(jsonNestsDeeperThan(Buffer.from(JSON.stringify({ a: '['.repeat(1000) })))).toBe(false);
    expect(jsonNestsDeeperThan(Buffer.from(JSON.stringify({ a: `\\"${'{'.repeat(100)}` })))).toBe(false);
    expect(jsonNestsDeeperThan(Buffer.from(`["\\\\"${'['.repeat(MAX_JSON_DEPTH)}${']'.repeat(MAX_JSON_DEPTH)}]`))).toBe(true);
  });

  it('a 1 MB hostile body is refused', () => {
    expect(jsonNestsDeeperThan(nested(500_000))).toBe(true);
  });
});
