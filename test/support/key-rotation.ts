// TEST CODE ONLY: the client side of a KDF change and a user key rotation, as the web vault computes them: Send
// keys, attachment files, every EncString of a synced vault re-encrypted under a new user key, the rotation request.
import { createCipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { Json } from './api';
import { accountFromMasterKey, decryptType2, encryptType2, KdfSettings, stretchMasterKey, SymmetricKey, TestAccount } from './test-crypto';

/** The plain key of a Send: HKDF of its 16-byte seed, as the clients derive it. */
export const sendKey = (seed: Buffer): SymmetricKey => Buffer.from(hkdfSync('sha256', seed, 'bitwarden-send', 'send', 64));

/** An attachment as the clients encrypt it (EncArrayBuffer): type byte 2, IV, MAC, AES-256-CBC ciphertext. */
export function encryptFile(plain: Buffer, key: SymmetricKey): Buffer {
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-256-cbc', key.subarray(0, 32), iv);
  const ct = Buffer.concat([cipher.update(plain), cipher.final()]);
  const mac = createHmac('sha256', key.subarray(32, 64)).update(Buffer.concat([iv, ct])).digest();
  return Buffer.concat([Buffer.from([2]), iv, mac, ct]);
}

/** Every type 2 EncString in `value` decrypted with `from` and encrypted again with `to`; everything else as it is. */
export function rekey(value: unknown, from: SymmetricKey, to: SymmetricKey): unknown {
  if (typeof value === 'string') return /^2\.[A-Za-z0-9+/=]+\|/.test(value) ? encryptType2(decryptType2(value, from), to) : value;
  if (Array.isArray(value)) return value.map((inner) => rekey(inner, from, to));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, inner]) => [k, rekey(inner, from, to)]));
  return value;
}

/** The account after a KDF change: the same password, user key and key pair under a new master key. */
export function withMasterKey(account: TestAccount, kdf: KdfSettings, masterKey: Buffer): TestAccount {
  const fresh = accountFromMasterKey(account.email, account.password, kdf, masterKey);
  return {
    ...account, kdf, masterPasswordHash: fresh.masterPasswordHash, wrappedUserKey: encryptType2(account.secrets.userKey, stretchMasterKey(masterKey)),
    secrets: { ...account.secrets, masterKey },
  };
}

/** The rotation request the web vault builds from its synced vault: everything re-encrypted under `newUserKey`. */
export function rotationRequest(account: TestAccount, userId: string, sync: Json, newUserKey: SymmetricKey): Json {
  const old = account.secrets.userKey;
  const re = (value: unknown): unknown => rekey(value, old, newUserKey);
  const ciphers = (sync.ciphers as Json[]).filter((c) => !c.organizationId).map((c) => ({
    id: c.id, type: c.type, organizationId: null, folderId: c.folderId, favorite: c.favorite, reprompt: c.reprompt, key: c.key ? re(c.key) : null,
    name: re(c.name), notes: re(c.notes), login: re(c.login), secureNote: c.secureNote, card: re(c.card), identity: re(c.identity), sshKey: re(c.sshKey),
    fields: re(c.fields ?? []), passwordHistory: re(c.passwordHistory ?? []), lastKnownRevisionDate: c.revisionDate, encryptedFor: userId,
    attachments2: Object.fromEntries(((c.attachments ?? []) as Json[]).map((a) => [a.id, { fileName: re(a.fileName), key: re(a.key) }])),
  }));
  return {
    oldMasterKeyAuthenticationHash: account.masterPasswordHash,
    accountUnlockData: {
      masterPasswordUnlockData: {
        kdfType: account.kdf.kdfType, kdfIterations: account.kdf.iterations, kdfMemory: account.kdf.memory, kdfParallelism: account.kdf.parallelism, email: account.email, salt: account.email,
        masterKeyAuthenticationHash: account.masterPasswordHash, masterKeyEncryptedUserKey: encryptType2(newUserKey, stretchMasterKey(account.secrets.masterKey)),
        masterPasswordHint: null,
      },
      emergencyAccessUnlockData: [], organizationAccountRecoveryUnlockData: [], passkeyUnlockData: [], deviceKeyUnlockData: [],
    },
    accountKeys: {
      userKeyEncryptedAccountPrivateKey: encryptType2(account.secrets.privateKeyDer, newUserKey), accountPublicKey: account.publicKey,
      publicKeyEncryptionKeyPair: { wrappedPrivateKey: encryptType2(account.secrets.privateKeyDer, newUserKey), publicKey: account.publicKey },
    },
    accountData: {
      ciphers,
      folders: (sync.folders as Json[]).map((f) => ({ id: f.id, name: re(f.name) })),
      sends: (sync.sends as Json[]).map((s) => ({ ...s, key: re(s.key) })),
    },
  };
}

