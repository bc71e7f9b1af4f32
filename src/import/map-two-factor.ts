import { TwoFactorEntity, TwoFactorIncompleteEntity } from '../db/entities';
import { ImportNotes } from './import-notes';
import { bool, date, int, optInt, optStr, parseJson, str, VwRow } from './vaultwarden-values';

const AUTHENTICATOR = 0;
const EMAIL = 1;
const WEBAUTHN = 7;
const UNSUPPORTED: Record<number, string> = {
  2: 'Duo', 3: 'YubiKey OTP', 4: 'U2F (legacy)', 6: 'organization Duo',
};
/** Challenges and codes in flight (U2F/WebAuthn challenges, email verification, protected actions). */
const PENDING_STATE_MIN = 1000;

function base64url(value: unknown): string | null {
  if (typeof value === 'string') return Buffer.from(value.replace(/=+$/, ''), 'base64url').toString('base64url');
  if (Array.isArray(value) && value.every((n) => typeof n === 'number')) return Buffer.from(value as number[]).toString('base64url');
  return null;
}

/** The COSE_Key (RFC 9053) of an ES256 public key: kty EC2, alg ES256, crv P-256, x, y. */
export function coseEs256(x: Buffer, y: Buffer): Buffer {
  return Buffer.concat([Buffer.from([0xa5, 0x01, 0x02, 0x03, 0x26, 0x20, 0x01, 0x21, 0x58, 0x20]), x, Buffer.from([0x22, 0x58, 0x20]), y]);
}

/**
 * One security key of Vaultwarden's WebAuthn row (its `credential` is webauthn-rs' serialized passkey: credential
 * id, an EC2 P-256 key as x and y, the signature counter) as a Vaultwave key, or null when its shape is not one
 * this importer reads (e.g. an RSA key).
 */
export function mapWebAuthnKey(entry: Record<string, unknown>): { id: number; name: string; credentialId: string; publicKey: string; counter: number; migrated: boolean } | null {
  const passkey = entry.credential as Record<string, unknown> | undefined;
  const cred = (passkey?.cred ?? passkey) as Record<string, unknown> | undefined;
  const credentialId = base64url(cred?.cred_id);
  const key = ((cred?.cred as Record<string, unknown> | undefined)?.key as Record<string, unknown> | undefined)?.EC_EC2 as Record<string, unknown> | undefined;
  const x = base64url(key?.x);
  const y = base64url(key?.y);
  if (!credentialId || !x || !y || (key?.curve !== undefined && key.curve !== 'SECP256R1')) return null;
  const xb = Buffer.from(x, 'base64url');
  const yb = Buffer.from(y, 'base64url');
  if (xb.length !== 32 || yb.length !== 32) return null;
  return {
    id: typeof entry.id === 'number' ? entry.id : 0,
    name: typeof entry.name === 'string' ? entry.name : '',
    credentialId,
    publicKey: coseEs256(xb, yb).toString('base64url'),
    counter: typeof cred?.counter === 'number' ? cred.counter : 0,
    migrated: entry.migrated === true,
  };
}

/**
 * Two-step login providers (Vaultwarden `twofactor`): authenticator (its base32 key and last used time step),
 * email (the address; a code in flight is not carried), WebAuthn (each key's credential id and public key).
 * Duo, YubiKey, U2F and challenges in flight have no counterpart and are reported.
 */
export function mapTwoFactor(row: VwRow, now: Date, notes: ImportNotes): TwoFactorEntity | null {
  const type = int(row, 'atype');
  const enabled = bool(row, 'enabled');
  const raw = str(row, 'data');
  const base = { userId: str(row, 'user_uuid'), type, enabled, lastUsedStep: 0, creationDate: now, revisionDate: now };
  if (type === AUTHENTICATOR) {
    return Object.assign(new TwoFactorEntity(), { ...base, data: JSON.stringify({ key: raw.trim().toUpperCase() }), lastUsedStep: optInt(row, 'last_used') ?? 0 });
  }
  if (type === EMAIL) {
    const data = parseJson(raw) as Record<string, unknown> | null | undefined;
    const email = typeof data?.email === 'string' ? data.email : null;
    if (!email) {
      notes.skip('twofactor (email, unreadable)', 'no address in the row');
      return null;
    }
    return Object.assign(new TwoFactorEntity(), { ...base, data: JSON.stringify({ email, tokenHash: null, sentAt: null, attempts: 0 }) });
  }
  if (type === WEBAUTHN) {
    const entries = parseJson(raw);
    const list = Array.isArray(entries) ? (entries as Array<Record<string, unknown>>) : [];
    const keys = list.map(mapWebAuthnKey).filter((k): k is NonNullable<typeof k> => k !== null);
    const numbered = keys.map((k, i) => ({ ...k, id: k.id >= 1 && k.id <= 5 ? k.id : i + 1 }));
    notes.skip('twofactor WebAuthn keys (not EC2 P-256)', 'key type this importer cannot convert: the user registers the key again', list.length - keys.length);
    if (keys.length === 0) return null;
    return Object.assign(new TwoFactorEntity(), { ...base, data: JSON.stringify({ keys: numbered }) });
  }
  if (UNSUPPORTED[type]) {
    notes.skip(`twofactor ${UNSUPPORTED[type]}${enabled ? ' (enabled)' : ''}`, 'provider Vaultwave does not offer: the account logs in without it (its other providers still apply)');
    return null;
  }
  if (type >= PENDING_STATE_MIN) {
    notes.skip('twofactor challenges in flight', 'short-lived codes and challenges: asked for again');
    return null;
  }
  notes.skip(`twofactor type ${type}`, 'unknown provider type');
  return null;
}

/** Logins that passed the password but not the second factor (Vaultwarden `twofactor_incomplete`). */
export function mapTwoFactorIncomplete(row: VwRow): TwoFactorIncompleteEntity {
  return Object.assign(new TwoFactorIncompleteEntity(), {
    userId: str(row, 'user_uuid'), deviceIdentifier: str(row, 'device_uuid'), deviceName: str(row, 'device_name').slice(0, 255),
    deviceType: optInt(row, 'device_type') ?? 14, ipAddress: (optStr(row, 'ip_address') ?? '').slice(0, 64), loginTime: date(row, 'login_time'),
  });
}
