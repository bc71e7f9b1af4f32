import { randomUUID } from 'node:crypto';
import { sendIdsOf, toAccessId } from './access-id';

// The example of docs/sends-plan.md §3.2, worked out by hand: the id's bytes in text order are
// 6f 3b 2a 1c 4d 5e 4f 60 8a 7b 9c 0d 1e 2f 3a 4b; .NET swaps the first three groups.
const ID = '6f3b2a1c-4d5e-4f60-8a7b-9c0d1e2f3a4b';

describe('accessId', () => {
  it('is the id bytes in RFC order as unpadded base64url (Vaultwarden), 22 characters', () => {
    expect(toAccessId(ID)).toBe('bzsqHE1eT2CKe5wNHi86Sw');
  });

  it('round-trips any id', () => {
    for (let i = 0; i < 50; i += 1) {
      const id = randomUUID();
      expect(toAccessId(id)).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(sendIdsOf(toAccessId(id))[0]).toBe(id);
    }
  });

  it('reads back both byte orders: its own first, then the official (.NET) one', () => {
    expect(sendIdsOf('bzsqHE1eT2CKe5wNHi86Sw')).toEqual([ID, '1c2a3b6f-5e4d-604f-8a7b-9c0d1e2f3a4b']);
    expect(sendIdsOf('HCo7b15NYE-Ke5wNHi86Sw')).toContain(ID);
  });

  it.each(['', 'short', 'bzsqHE1eT2CKe5wNHi86S', 'bzsqHE1eT2CKe5wNHi86Sw=', 'bzsqHE1eT2CKe5wNHi86S+', '../../../../etc/passwd', 'AAAAAAAAAAAAAAAAAAAAAA'])(
    '%j names no Send', (value) => {
      expect(sendIdsOf(value)).toEqual([]);
    },
  );
});
