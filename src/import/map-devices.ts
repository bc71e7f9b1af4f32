import { createHash } from 'node:crypto';
import { DeviceEntity, TwoFactorRememberEntity, UserEntity } from '../db/entities';
import { ImportNotes } from './import-notes';
import { date, int, optStr, str, VwRow } from './vaultwarden-values';

const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/**
 * A Vaultwave device id for a Vaultwarden device. Vaultwarden keys devices by (client identifier, user), so one
 * identifier may belong to several users; Vaultwave's id is unique on its own. The identifier itself is kept as
 * the id when it is a UUID used by one user only; otherwise an id derived from both (stable across runs).
 */
export function deviceId(identifier: string, userId: string, shared: boolean): string {
  if (!shared && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(identifier)) return identifier;
  const h = createHash('sha256').update(`vaultwarden-device|${userId}|${identifier}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The payload of a JWT, unverified (our own database's token, read for its times). */
export function jwtPayload(token: string): Record<string, unknown> | null {
  const part = token.split('.')[1];
  if (!part) return null;
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export interface MappedDevice { device: DeviceEntity; remember: TwoFactorRememberEntity | null }

/**
 * Devices (Vaultwarden `devices`): the client identifier, name and type; the refresh token kept as Vaultwave keeps
 * its own, SHA-256 hex of the opaque token (Vaultwarden's `refresh_token` column is the `device_token` inside the
 * refresh JWT it hands out); the push token; the "remember this device" token of two-step login as a
 * two_factor_remember row (SHA-256 of the token, its expiry, the user's current security stamp).
 */
export function mapDevice(row: VwRow, user: UserEntity, shared: boolean, notes: ImportNotes): MappedDevice {
  const identifier = str(row, 'uuid');
  const updated = date(row, 'updated_at');
  const refreshToken = optStr(row, 'refresh_token');
  const pushToken = optStr(row, 'push_token');
  const id = deviceId(identifier, user.id, shared);
  if (id !== identifier) notes.adjust('devices.id', 'client identifier used by more than one account: the device got a derived id (the identifier is kept)');
  const device = Object.assign(new DeviceEntity(), {
    id,
    userId: user.id,
    identifier,
    name: str(row, 'name').slice(0, 255),
    type: int(row, 'atype'),
    active: true,
    refreshTokenHash: refreshToken ? sha256Hex(refreshToken) : null,
    // Vaultwarden moves updated_at at every refresh: the start of the idle window.
    refreshTokenLastUsedAt: refreshToken ? updated : null,
    pushToken,
    // Registered at Bitwarden's relay by Vaultwarden under its own ids: the app registers again with Vaultwave.
    pushRegistration: null,
    pushRegistrationError: null,
    pushRelayUri: null,
    pushInstallationId: null,
    pushLastSuccessAt: null,
    hubDisconnectedAt: null,
    creationDate: date(row, 'created_at'),
    revisionDate: updated,
  });
  if (pushToken && optStr(row, 'push_uuid')) notes.adjust('devices.push_uuid', 'relay registration made by Vaultwarden: the mobile app registers its push token with Vaultwave again');
  let remember: TwoFactorRememberEntity | null = null;
  const rememberToken = optStr(row, 'twofactor_remember');
  if (rememberToken) {
    const claims = jwtPayload(rememberToken);
    const exp = typeof claims?.exp === 'number' ? new Date(claims.exp * 1000) : null;
    const nbf = typeof claims?.nbf === 'number' ? new Date(claims.nbf * 1000) : updated;
    if (exp) {
      remember = Object.assign(new TwoFactorRememberEntity(), {
        deviceId: id, userId: user.id, tokenHash: sha256Hex(rememberToken), securityStamp: user.securityStamp, expiresAt: exp, creationDate: nbf,
      });
    } else {
      notes.skip('devices.twofactor_remember (unreadable)', 'not a Vaultwarden remember JWT: the device asks for the second factor again');
    }
  }
  return { device, remember };
}
