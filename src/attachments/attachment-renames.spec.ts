import { validateSync } from 'class-validator';
import { attachmentRenames, IsAttachmentMap } from './attachment-renames';

const NAME = '2.AAAA/bb+c=|dddd|eeee';
const KEY = '2.kkkk|llll|mmmm';

describe('attachmentRenames', () => {
  it('null when the request carries neither map', () => {
    expect(attachmentRenames({})).toBeNull();
    expect(attachmentRenames({ attachments: null, attachments2: null })).toBeNull();
  });

  it('attachments2: id → new name and key, ids lower-cased', () => {
    expect(attachmentRenames({ attachments2: { AbC123: { fileName: NAME, key: KEY } } })).toStrictEqual([{ id: 'abc123', fileName: NAME, key: KEY }]);
  });

  it('attachments2 wins over the legacy attachments', () => {
    const renames = attachmentRenames({ attachments: { one: '2.x|y|z' }, attachments2: { two: { fileName: NAME, key: KEY } } });
    expect(renames).toStrictEqual([{ id: 'two', fileName: NAME, key: KEY }]);
  });

  it('attachments2 without a key gives key null', () => {
    expect(attachmentRenames({ attachments2: { a1: { fileName: NAME } } })).toStrictEqual([{ id: 'a1', fileName: NAME, key: null }]);
    expect(attachmentRenames({ attachments2: { a1: { fileName: NAME, key: null } } })).toStrictEqual([{ id: 'a1', fileName: NAME, key: null }]);
  });

  it('attachments2 accepts capitalised FileName / Key', () => {
    expect(attachmentRenames({ attachments2: { A1: { FileName: NAME, Key: KEY } } })).toStrictEqual([{ id: 'a1', fileName: NAME, key: KEY }]);
  });

  it('legacy attachments: id → name, key null, ids lower-cased', () => {
    expect(attachmentRenames({ attachments: { ID1: NAME, id2: '2.x|y|z' } })).toStrictEqual([
      { id: 'id1', fileName: NAME, key: null },
      { id: 'id2', fileName: '2.x|y|z', key: null },
    ]);
  });

  it('an empty attachments2 map gives no renames (not null)', () => {
    expect(attachmentRenames({ attachments2: {} })).toStrictEqual([]);
  });
});

class Legacy {
  @IsAttachmentMap('attachments') attachments?: unknown;
}
class Current {
  @IsAttachmentMap('attachments2') attachments2?: unknown;
}

const legacyOk = (value: unknown): boolean => validateSync(Object.assign(new Legacy(), { attachments: value })).length === 0;
const currentOk = (value: unknown): boolean => validateSync(Object.assign(new Current(), { attachments2: value })).length === 0;

describe('IsAttachmentMap', () => {
  it('null and absent pass', () => {
    expect(legacyOk(null)).toBe(true);
    expect(legacyOk(undefined)).toBe(true);
    expect(currentOk(null)).toBe(true);
    expect(currentOk(undefined)).toBe(true);
  });

  it('valid maps pass (both id styles, upper-case ids since they are lowered, empty map)', () => {
    expect(legacyOk({ abcdefghij0123456789abcdefghij01: NAME, '0a1b2c3d4e5f60718293': NAME })).toBe(true);
    expect(legacyOk({ ABC123: NAME })).toBe(true);
    expect(legacyOk({})).toBe(true);
    expect(currentOk({ abc: { fileName: NAME, key: KEY }, DEF: { fileName: NAME }, ghi: { fileName: NAME, key: null } })).toBe(true);
    expect(currentOk({ abc: { FileName: NAME, Key: KEY } })).toBe(true);
    expect(currentOk({ ['a'.repeat(64)]: { fileName: NAME } })).toBe(true);
  });

  it('non-objects and arrays fail', () => {
    for (const value of ['2.a|b|c', 42, true, [NAME], []]) {
      expect(legacyOk(value)).toBe(false);
      expect(currentOk(value)).toBe(false);
    }
  });

  it('bad ids fail: traversal, punctuation, empty, 65 characters', () => {
    for (const id of ['../x', 'a/b', 'a.b', 'a-b', '', ' a', 'a'.repeat(65)]) {
      expect(legacyOk({ [id]: NAME })).toBe(false);
      expect(currentOk({ [id]: { fileName: NAME, key: KEY } })).toBe(false);
    }
  });

  it('names and keys that are not EncStrings fail', () => {
    for (const bad of ['plain.txt', '', 'x.abc', '2.', '2.a b', 7, null, { fileName: NAME }]) {
      expect(legacyOk({ abc: bad })).toBe(false);
      expect(currentOk({ abc: { fileName: bad, key: KEY } })).toBe(false);
    }
    expect(currentOk({ abc: { fileName: NAME, key: 'not enc' } })).toBe(false);
    expect(currentOk({ abc: { fileName: NAME, key: 5 } })).toBe(false);
    expect(currentOk({ abc: NAME })).toBe(false);
    expect(currentOk({ abc: null })).toBe(false);
    expect(currentOk({ abc: [NAME, KEY] })).toBe(false);
    expect(currentOk({ abc: {} })).toBe(false);
  });

  it('EncStrings over 1,000 characters fail', () => {
    const long = `2.${'a'.repeat(999)}`;
    expect(long.length).toBe(1001);
    expect(legacyOk({ abc: long })).toBe(false);
    expect(currentOk({ abc: { fileName: long } })).toBe(false);
    expect(currentOk({ abc: { fileName: NAME, key: long } })).toBe(false);
    expect(legacyOk({ abc: long.slice(0, 1000) })).toBe(true);
  });

  it('at most 1,000 entries', () => {
    const map = (count: number): Record<string, string> => Object.fromEntries(Array.from({ length: count }, (_, i) => [`id${i}`, NAME]));
    expect(legacyOk(map(1000))).toBe(true);
    expect(legacyOk(map(1001))).toBe(false);
    const map2 = Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`id${i}`, { fileName: NAME }]));
    expect(currentOk(map2)).toBe(false);
  });

  it('the error message names the property kind', () => {
    const [error] = validateSync(Object.assign(new Current(), { attachments2: 'x' }));
    expect(error?.property).toBe('attachments2');
    expect(Object.keys(error?.constraints ?? {})).toEqual(['isAttachmentMap']);
  });
});
