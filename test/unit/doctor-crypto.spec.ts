// The doctor's port of the client key handling must compute exactly what the test clients (and the
// official clients) compute: same master password hash, and user keys it can open.
import { decryptType2, encryptType2, masterPasswordHash, pbkdf2MasterKey, stretchMasterKey } from '../../src/doctor/client-crypto';
import { makePbkdf2Account, unwrapUserKey } from '../support/test-crypto';

describe('doctor client crypto = test-crypto', () => {
  it('master password hash and user key unwrap agree', () => {
    const account = makePbkdf2Account(' Someone@Example.com ', 'pässword', 5_000);
    const masterKey = pbkdf2MasterKey('pässword', ' Someone@Example.com ', 5_000);
    expect(masterPasswordHash(masterKey, 'pässword')).toBe(account.masterPasswordHash);
    const userKey = decryptType2(account.wrappedUserKey, stretchMasterKey(masterKey));
    expect(userKey.equals(unwrapUserKey(account.wrappedUserKey, account.secrets.masterKey))).toBe(true);
    expect(decryptType2(encryptType2('name', userKey), userKey).toString('utf8')).toBe('name');
  });
});
