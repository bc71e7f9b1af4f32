import { KeyCaseConflictError, lowerFirst, normalizeKeyCase, shapeFromSpec } from './key-case';

const conflictsOf = (run: () => unknown): Array<{ path: string; spellings: string[] }> => {
  try {
    run();
  } catch (error) {
    if (error instanceof KeyCaseConflictError) return error.conflicts;
    throw error;
  }
  throw new Error('expected a conflict');
};

describe('normalizeKeyCase (pure)', () => {
  const shape = shapeFromSpec({
    names: ['name', 'folderId', 'items', 'stored'],
    children: {
      items: { names: ['lastUsedDate', 'password'] },
      stored: { names: ['username', 'uris'], keepsUnknown: true, children: { uris: { names: ['uri', 'match'] } } },
    },
  });

  it('renames keys of any case to the declared spelling, at every depth, in objects and arrays', () => {
    const out = normalizeKeyCase({
      NAME: 'n',
      FolderID: null,
      Items: [{ LastUsedDate: '2026-01-01T00:00:00Z', PASSWORD: 'p1' }, { lastusedDATE: '2026-01-02T00:00:00Z', password: 'p2' }],
      Stored: { Username: 'u', Uris: [{ Uri: 'x', MATCH: 3 }] },
    }, shape);
    expect(out).toEqual({
      name: 'n',
      folderId: null,
      items: [{ lastUsedDate: '2026-01-01T00:00:00Z', password: 'p1' }, { lastUsedDate: '2026-01-02T00:00:00Z', password: 'p2' }],
      stored: { username: 'u', uris: [{ uri: 'x', match: 3 }] },
    });
  });

  it('keeps unknown keys where the object is stored as given, first letter lower-cased; elsewhere as they are', () => {
    expect(normalizeKeyCase({ Other: 1, stored: { NewField: 'a', Uris: [{ Extra: true }] } }, shape)).toEqual({
      Other: 1, // dropped later by the whitelist, not renamed here
      stored: { newField: 'a', uris: [{ extra: true }] },
    });
  });

  it('refuses a field sent under two spellings, naming each place (nested and in arrays)', () => {
    expect(conflictsOf(() => normalizeKeyCase({ name: 'a', Name: 'b' }, shape))).toEqual([{ path: 'name', spellings: ['name', 'Name'] }]);
    expect(conflictsOf(() => normalizeKeyCase({ stored: { username: null, Username: 'u' }, items: [{}, { password: 'a', PassWord: 'a' }] }, shape))).toEqual([
      { path: 'stored.username', spellings: ['username', 'Username'] },
      { path: 'items.1.password', spellings: ['password', 'PassWord'] },
    ]);
    // Unknown keys of a stored object collide once their first letter is lower-cased.
    expect(conflictsOf(() => normalizeKeyCase({ stored: { newField: 1, NewField: 2 } }, shape))).toEqual([{ path: 'stored.newField', spellings: ['newField', 'NewField'] }]);
  });

  it('leaves values it has no shape for untouched (scalars, null, values of unknown keys)', () => {
    expect(normalizeKeyCase(null, shape)).toBeNull();
    expect(normalizeKeyCase('text', shape)).toBe('text');
    const deep = { A: { B: 1 } };
    expect((normalizeKeyCase({ unknown: deep }, shape) as { unknown: unknown }).unknown).toBe(deep);
  });

  it('lowerFirst', () => {
    expect(lowerFirst('Username')).toBe('username');
    expect(lowerFirst('')).toBe('');
    expect(lowerFirst('uri')).toBe('uri');
  });
});
