// The few pieces of the Bitwarden clients' key handling the doctor needs to log in like a client and to
// name its temporary folder readably (ported from test/support/test-crypto.ts, which src/ must not import).
import { createCipheriv, createDecipheriv, createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

const utf8 = (text: string): Buffer => Buffer.from(text, 'utf8');

/** Clients trim and lower-case the email before using it as a salt. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** Master key for KDF type 0: PBKDF2-SHA256(password, salt = normalised email, iterations, 32 bytes). */
export function pbkdf2MasterKey(password: string, email: string, iterations: number): Buffer {
  return pbkdf2Sync(utf8(password), utf8(normalizeEmail(email)), iterations, 32, 'sha256');
}

/** What a client sends as `password` in the password grant: base64(PBKDF2-SHA256(masterKey, password, 1)). */
export function masterPasswordHash(masterKey: Buffer, password: string): string {
  return pbkdf2Sync(masterKey, utf8(password), 1, 32, 'sha256').toString('base64');
}

/** RFC 5869 HKDF-Expand with HMAC-SHA256 (the clients skip the Extract step). */
function hkdfExpandSha256(prk: Buffer, info: string, length: number): Buffer {
  const out: Buffer[] = [];
  let block: Buffer = Buffer.alloc(0);
  for (let counter = 1, produced = 0; produced < length; counter++) {
    block = createHmac('sha256', prk).update(Buffer.concat([block, utf8(info), Buffer.from([counter])])).digest();
    out.push(block);
    produced += block.length;
  }
  return Buffer.concat(out).subarray(0, length);
}

/** Stretched master key: HKDF-Expand(masterKey, "enc", 32) ‖ HKDF-Expand(masterKey, "mac", 32). */
export function stretchMasterKey(masterKey: Buffer): Buffer {
  return Buffer.concat([hkdfExpandSha256(masterKey, 'enc', 32), hkdfExpandSha256(masterKey, 'mac', 32)]);
}

/** EncString type 2 (AES-256-CBC + HMAC-SHA256) under a 64-byte key. */
export function encryptType2(plain: string | Uint8Array, key: Buffer): string {
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-256-cbc', key.subarray(0, 32), iv);
  const data = typeof plain === 'string' ? utf8(plain) : Buffer.from(plain);
  const ct = Buffer.concat([cipher.update(data), cipher.final()]);
  const mac = createHmac('sha256', key.subarray(32, 64)).update(Buffer.concat([iv, ct])).digest();
  return `2.${iv.toString('base64')}|${ct.toString('base64')}|${mac.toString('base64')}`;
}

/** Opens an EncString of type 2 after checking its MAC; throws on anything else. */
export function decryptType2(encString: string, key: Buffer): Buffer {
  const match = /^2\.([A-Za-z0-9+/=]+)\|([A-Za-z0-9+/=]+)\|([A-Za-z0-9+/=]+)$/.exec(encString);
  if (!match) throw new Error('not an EncString of type 2');
  const part = (index: number): Buffer => Buffer.from(match[index] ?? '', 'base64');
  const iv = part(1), ct = part(2), mac = part(3);
  const expected = createHmac('sha256', key.subarray(32, 64)).update(Buffer.concat([iv, ct])).digest();
  if (mac.length !== expected.length || !timingSafeEqual(mac, expected)) throw new Error('EncString MAC mismatch');
  const decipher = createDecipheriv('aes-256-cbc', key.subarray(0, 32), iv);
  return Buffer.concat([decipher.update(ct), decipher.final()]);
}

/**
 * A device identifier that stays the same for one account across doctor runs, so that repeated runs reuse
 * one device row instead of adding a new device each time.
 */
export function stableDeviceIdentifier(email: string): string {
  const hex = createHash('sha256').update(`vaultwave-doctor:${normalizeEmail(email)}`).digest('hex');
  const variant = ((parseInt(hex.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
