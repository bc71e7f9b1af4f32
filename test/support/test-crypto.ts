// test/support/test-crypto.ts
//
// TEST CODE ONLY. Never import this file from src/.
//
// Client-side key handling of the official Bitwarden clients, re-implemented with node:crypto and the
// global fetch of Node 20, so that end-to-end tests can:
//   - create accounts the way the web vault does (the CLI cannot register),
//   - log in over HTTP the way a client does (for example to get a token for the notifications hub),
//   - build encrypted vault items that the real clients decrypt, and decrypt what the real clients upload.
// Scope: PBKDF2-SHA256 accounts, EncString types 2 (AES-256-CBC + HMAC-SHA256) and 4 (RSA-2048-OAEP-SHA1).
// Argon2id is not in node:crypto on Node 20: derive that master key elsewhere and use accountFromMasterKey().
import {
  constants,
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  pbkdf2Sync,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
  randomUUID,
  timingSafeEqual,
} from 'node:crypto';

// ---------------------------------------------------------------------------------------------------------
// Primitives
// ---------------------------------------------------------------------------------------------------------

/** KDF settings as the server stores them and returns them in prelogin and the token response. */
export type KdfSettings =
  | { kdfType: 0; iterations: number; memory: null; parallelism: null } // PBKDF2-SHA256
  | { kdfType: 1; iterations: number; memory: number; parallelism: number }; // Argon2id, memory in MiB

/** A 64-byte symmetric key: bytes 0-31 are the AES-256 key, bytes 32-63 the HMAC-SHA256 key. */
export type SymmetricKey = Buffer;

const utf8 = (text: string): Buffer => Buffer.from(text, 'utf8');
const toB64 = (data: Uint8Array): string => Buffer.from(data).toString('base64');

/** Clients trim and lower-case the email before using it as a salt. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** Master key for KDF type 0: PBKDF2-SHA256(password, salt = normalised email, iterations, 32 bytes). */
export function pbkdf2MasterKey(password: string, email: string, iterations: number): Buffer {
  return pbkdf2Sync(utf8(password), utf8(normalizeEmail(email)), iterations, 32, 'sha256');
}

/** Salt to hand to an Argon2id implementation for KDF type 1: SHA-256 of the normalised email. */
export function argon2idSalt(email: string): Buffer {
  return createHash('sha256').update(utf8(normalizeEmail(email))).digest();
}

/**
 * Master password hash: base64(PBKDF2-SHA256(masterKey, salt = password, 1 iteration, 32 bytes)).
 * Sent as `password` in the password grant and as `masterPasswordHash` on registration.
 */
export function masterPasswordHash(masterKey: Buffer, password: string): string {
  return toB64(pbkdf2Sync(masterKey, utf8(password), 1, 32, 'sha256'));
}

/** RFC 5869 HKDF-Expand with HMAC-SHA256. The Extract step is deliberately absent. */
export function hkdfExpandSha256(prk: Buffer, info: string, length: number): Buffer {
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
export function stretchMasterKey(masterKey: Buffer): SymmetricKey {
  return Buffer.concat([hkdfExpandSha256(masterKey, 'enc', 32), hkdfExpandSha256(masterKey, 'mac', 32)]);
}

/** EncString type 2: "2." + b64(iv) + "|" + b64(AES-256-CBC-PKCS7 ciphertext) + "|" + b64(HMAC-SHA256(iv ‖ ct)). */
export function encryptType2(plain: string | Uint8Array, key: SymmetricKey): string {
  if (key.length !== 64) throw new Error(`type 2 needs a 64-byte key, got ${key.length}`);
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-256-cbc', key.subarray(0, 32), iv);
  const data = typeof plain === 'string' ? utf8(plain) : Buffer.from(plain);
  const ct = Buffer.concat([cipher.update(data), cipher.final()]);
  const mac = createHmac('sha256', key.subarray(32, 64)).update(Buffer.concat([iv, ct])).digest();
  return `2.${toB64(iv)}|${toB64(ct)}|${toB64(mac)}`;
}

/** Verifies the MAC (constant time) before decrypting. Throws on any other EncString type. */
export function decryptType2(encString: string, key: SymmetricKey): Buffer {
  const match = /^2\.([A-Za-z0-9+/=]+)\|([A-Za-z0-9+/=]+)\|([A-Za-z0-9+/=]+)$/.exec(encString);
  if (!match) throw new Error(`not an EncString of type 2: ${encString.slice(0, 12)}…`);
  const part = (index: number): Buffer => Buffer.from(match[index] ?? '', 'base64');
  const iv = part(1), ct = part(2), mac = part(3);
  const expected = createHmac('sha256', key.subarray(32, 64)).update(Buffer.concat([iv, ct])).digest();
  if (mac.length !== expected.length || !timingSafeEqual(mac, expected)) throw new Error('EncString MAC mismatch');
  const decipher = createDecipheriv('aes-256-cbc', key.subarray(0, 32), iv);
  return Buffer.concat([decipher.update(ct), decipher.final()]);
}

export function decryptType2Text(encString: string, key: SymmetricKey): string {
  return decryptType2(encString, key).toString('utf8');
}

/** EncString type 4: "4." + b64(RSA-OAEP-SHA1(publicKey, plain)). Used for organization and shared keys. */
export function encryptType4(plain: Uint8Array, publicKeySpkiB64: string): string {
  const key = createPublicKey({ key: Buffer.from(publicKeySpkiB64, 'base64'), format: 'der', type: 'spki' });
  return `4.${toB64(publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, plain))}`;
}

export function decryptType4(encString: string, privateKeyPkcs8Der: Buffer): Buffer {
  if (!encString.startsWith('4.')) throw new Error('not an EncString of type 4');
  const key = createPrivateKey({ key: privateKeyPkcs8Der, format: 'der', type: 'pkcs8' });
  return privateDecrypt(
    { key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' },
    Buffer.from(encString.slice(2), 'base64'),
  );
}

/** `uriChecksum` of a login URI: EncString of base64(SHA-256(uri)). */
export function uriChecksum(uri: string, key: SymmetricKey): string {
  return encryptType2(toB64(createHash('sha256').update(utf8(uri)).digest()), key);
}

// ---------------------------------------------------------------------------------------------------------
// Accounts
// ---------------------------------------------------------------------------------------------------------

/** What a client sends on registration, plus the secrets a test needs to read and write vault data. */
export interface TestAccount {
  email: string; // normalised
  password: string;
  kdf: KdfSettings;
  masterPasswordHash: string; // the server stores a slow hash of this value
  wrappedUserKey: string; // "Key" / userSymmetricKey / masterKeyWrappedUserKey: user key under the stretched master key
  publicKey: string; // base64 SPKI DER
  wrappedPrivateKey: string; // "PrivateKey" / encryptedPrivateKey: PKCS8 DER under the user key
  secrets: { masterKey: Buffer; userKey: SymmetricKey; privateKeyDer: Buffer };
}

/** Builds an account from an already derived master key (use this for Argon2id). */
export function accountFromMasterKey(email: string, password: string, kdf: KdfSettings, masterKey: Buffer): TestAccount {
  const userKey = randomBytes(64);
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 0x10001 });
  const privateKeyDer = privateKey.export({ type: 'pkcs8', format: 'der' });
  return {
    email: normalizeEmail(email),
    password,
    kdf,
    masterPasswordHash: masterPasswordHash(masterKey, password),
    wrappedUserKey: encryptType2(userKey, stretchMasterKey(masterKey)),
    publicKey: toB64(publicKey.export({ type: 'spki', format: 'der' })),
    wrappedPrivateKey: encryptType2(privateKeyDer, userKey),
    secrets: { masterKey, userKey, privateKeyDer },
  };
}

/** PBKDF2 account. 600 000 iterations is the client default; 5 000 is the lowest a client accepts at login. */
export function makePbkdf2Account(email: string, password: string, iterations = 600_000): TestAccount {
  const kdf: KdfSettings = { kdfType: 0, iterations, memory: null, parallelism: null };
  return accountFromMasterKey(email, password, kdf, pbkdf2MasterKey(password, email, iterations));
}

/** Opens the user key returned as `Key` by the token endpoint, as a client does after login. */
export function unwrapUserKey(wrappedUserKey: string, masterKey: Buffer): SymmetricKey {
  return decryptType2(wrappedUserKey, stretchMasterKey(masterKey));
}

// ---------------------------------------------------------------------------------------------------------
// HTTP, as the clients do it (global fetch; trust for a self-signed test certificate comes from
// NODE_EXTRA_CA_CERTS, which must be set before this Node process starts)
// ---------------------------------------------------------------------------------------------------------

export class HttpError extends Error {
  constructor(readonly status: number, readonly body: string, path: string) {
    super(`${path} -> HTTP ${status}: ${body.slice(0, 300)}`);
  }
}

/** A client identity. ContextId on the hub is `identifier` of the device that made a change. */
export interface ClientDevice {
  identifier: string; // stable uuid per simulated install
  type: number; // 9 web vault in Chrome, 8 Linux desktop, 2 Chrome extension, 25 Linux CLI, 0 Android
  name: string; // "chrome", "linux", …
  clientId: string; // "web", "desktop", "browser", "cli", "mobile"
}

const CLIENT_VERSION = '2026.6.0';

async function send(baseUrl: string, path: string, init: RequestInit, device?: ClientDevice): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set('Accept', 'application/json');
  if (device) {
    headers.set('Device-Type', String(device.type));
    headers.set('Bitwarden-Client-Name', device.clientId);
    headers.set('Bitwarden-Client-Version', CLIENT_VERSION);
  }
  // Keep the base URL's path (DOMAIN=https://host/vault): new URL('/api/x', base) would drop it.
  const response = await fetch(`${baseUrl.replace(/\/+$/, '')}${path}`, { ...init, headers });
  if (!response.ok) throw new HttpError(response.status, await response.text(), path);
  return response;
}

async function postJson(baseUrl: string, path: string, body: unknown, device?: ClientDevice, token?: string): Promise<unknown> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json; charset=utf-8' };
  if (token) headers.Authorization = `Bearer ${token}`;
  const response = await send(baseUrl, path, { method: 'POST', headers, body: JSON.stringify(body) }, device);
  const text = await response.text();
  return text === '' ? null : (JSON.parse(text) as unknown);
}

export const WEB_VAULT: Omit<ClientDevice, 'identifier'> = { type: 9, name: 'chrome', clientId: 'web' };

/** Which registration request to send; the server accepts all four. */
export type RegistrationShape = 'finish' | 'finish-v2' | 'finish-flat-kdf' | 'legacy-register';

/**
 * Registers `account` the way the web vault does:
 *   POST /identity/accounts/register/send-verification-email  -> 200 + JSON string token (no email verification)
 *   POST /identity/accounts/register/finish                     -> 200
 * 'finish-v2' omits the top-level masterPasswordHash; 'finish-flat-kdf' sends flat kdf fields instead of the
 * nested objects; 'legacy-register' sends the older single call POST /identity/accounts/register.
 */
export async function registerAccount(
  baseUrl: string,
  account: TestAccount,
  options: { name?: string; shape?: RegistrationShape; device?: ClientDevice } = {},
): Promise<void> {
  const { name = 'Test User', shape = 'finish' } = options;
  const device = options.device ?? { ...WEB_VAULT, identifier: randomUUID() };
  const keys = { publicKey: account.publicKey, encryptedPrivateKey: account.wrappedPrivateKey };
  const { kdfType, iterations, memory, parallelism } = account.kdf;
  const flatKdf = { kdf: kdfType, kdfIterations: iterations, kdfMemory: memory, kdfParallelism: parallelism };

  if (shape === 'legacy-register') {
    await postJson(baseUrl, '/identity/accounts/register', {
      name, email: account.email, masterPasswordHash: account.masterPasswordHash, masterPasswordHint: null,
      key: account.wrappedUserKey, keys, ...flatKdf,
    }, device);
    return;
  }

  const token = await postJson(baseUrl, '/identity/accounts/register/send-verification-email',
    { email: account.email, name, receiveMarketingEmails: false }, device);
  if (typeof token !== 'string') {
    throw new Error('send-verification-email did not return a token: run the test server without email verification');
  }
  const common = {
    email: account.email, masterPasswordHash: account.masterPasswordHash, masterPasswordHint: '',
    userSymmetricKey: account.wrappedUserKey, userAsymmetricKeys: keys, emailVerificationToken: token,
  };
  if (shape === 'finish-flat-kdf') {
    await postJson(baseUrl, '/identity/accounts/register/finish', { ...common, ...flatKdf }, device);
    return;
  }
  const kdf = kdfType === 0 ? { kdfType, iterations } : { kdfType, iterations, memory, parallelism };
  const nested = {
    masterPasswordAuthentication: { kdf, masterPasswordAuthenticationHash: account.masterPasswordHash, salt: account.email },
    masterPasswordUnlock: { kdf, masterKeyWrappedUserKey: account.wrappedUserKey, salt: account.email },
  };
  const { masterPasswordHash: _omitted, ...withoutHash } = common;
  const body = shape === 'finish-v2' ? { ...withoutHash, ...nested } : { ...common, ...nested };
  await postJson(baseUrl, '/identity/accounts/register/finish', body, device);
}

/** makePbkdf2Account + registerAccount. */
export async function createPbkdf2User(baseUrl: string, email: string, password: string, iterations = 600_000): Promise<TestAccount> {
  const account = makePbkdf2Account(email, password, iterations);
  await registerAccount(baseUrl, account);
  return account;
}

/** The fields of the token response that tests use. The server sends more (see the contract). */
export interface TokenResponse {
  access_token: string;
  refresh_token?: string;
  expires_in: number;
  token_type: string;
  Key?: string;
  key?: string;
}

/** Form encoding as the CLI does it: encodeURIComponent, so a space is %20 (URLSearchParams would send "+"). */
function formBody(fields: Record<string, string>): string {
  return Object.entries(fields).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
}

/** Password grant with the fields, order and encoding of the official CLI's request. */
export async function passwordLogin(baseUrl: string, account: TestAccount, device: ClientDevice): Promise<TokenResponse> {
  const body = formBody({
    scope: 'api offline_access', client_id: device.clientId, deviceType: String(device.type),
    deviceIdentifier: device.identifier, deviceName: device.name, grant_type: 'password',
    username: account.email, password: account.masterPasswordHash,
  });
  const response = await send(baseUrl, '/identity/connect/token', {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body,
  }, device);
  return (await response.json()) as TokenResponse;
}

/** Payload of a JWT, without verifying it (clients do not verify it either). */
export function decodeJwtPayload(jwt: string): Record<string, unknown> {
  const part = jwt.split('.')[1];
  if (!part) throw new Error('not a JWT');
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
}

// ---------------------------------------------------------------------------------------------------------
// Vault items
// ---------------------------------------------------------------------------------------------------------

export interface PlainLogin { name: string; username: string; password: string; uri: string; notes?: string; folderId?: string | null }

/** Body for POST /api/ciphers (personal login item, no per-item key), shaped like the CLI's request. */
export function loginCipherRequest(account: TestAccount, userId: string, item: PlainLogin): Record<string, unknown> {
  const key = account.secrets.userKey;
  const enc = (text: string): string => encryptType2(text, key);
  return {
    type: 1, encryptedFor: userId, folderId: item.folderId ?? null, favorite: false, reprompt: 0,
    name: enc(item.name), notes: item.notes === undefined ? null : enc(item.notes),
    login: {
      username: enc(item.username), password: enc(item.password), totp: null, passwordRevisionDate: null,
      uris: [{ uri: enc(item.uri), match: null, uriChecksum: uriChecksum(item.uri, key) }],
    },
    fields: [], passwordHistory: [], lastKnownRevisionDate: null,
  };
}

/** Creates a personal login item over the API, as a client would; returns the server's cipher JSON. */
export async function createLoginItem(baseUrl: string, accessToken: string, account: TestAccount, item: PlainLogin): Promise<Record<string, unknown>> {
  const userId = String(decodeJwtPayload(accessToken).sub);
  return (await postJson(baseUrl, '/api/ciphers', loginCipherRequest(account, userId, item), undefined, accessToken)) as Record<string, unknown>;
}
