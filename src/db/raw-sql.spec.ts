import { sqlBoolean, toDriverSql } from './raw-sql';

describe('raw SQL for each driver', () => {
  const question = (): string => '?';

  it('$n become the placeholder, in order of appearance; single-quoted text is left alone', () => {
    const seen: number[] = [];
    const sql = toDriverSql("SELECT a FROM t WHERE b = $2 AND c = $1 AND d = 'costs $1' AND e = $2", false, (n) => {
      seen.push(n);
      return '?';
    });
    expect(sql).toBe("SELECT a FROM t WHERE b = ? AND c = ? AND d = 'costs $1' AND e = ?");
    expect(seen).toEqual([2, 1, 2]);
  });

  it('"name" becomes `name` for MySQL only; quotes inside single-quoted text stay', () => {
    const sql = 'SELECT "key", name FROM ciphers WHERE notes = \'say "hi"\' AND "key" = $1';
    expect(toDriverSql(sql, true, question)).toBe('SELECT `key`, name FROM ciphers WHERE notes = \'say "hi"\' AND `key` = ?');
    expect(toDriverSql(sql, false, question)).toBe('SELECT "key", name FROM ciphers WHERE notes = \'say "hi"\' AND "key" = ?');
    expect(toDriverSql("SELECT 'it''s \"x\"' AS \"a`b\"", true, question)).toBe("SELECT 'it''s \"x\"' AS `a``b`");
  });

  it('booleans as each driver returns them', () => {
    expect([true, 1, '1'].map(sqlBoolean)).toEqual([true, true, true]);
    expect([false, 0, '0', null].map(sqlBoolean)).toEqual([false, false, false, false]);
  });
});
