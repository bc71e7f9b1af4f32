import { createHash, generateKeyPairSync } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { ImportNotes } from './import-notes';
import { isPendingAuthRequest, mapAuthRequest } from './map-auth-requests';
import { deviceId, mapDevice } from './map-devices';
import { mapEmergencyAccess } from './map-emergency-access';
import { expandAccessAll, mapCollectionMember, mapMembership, mapPolicy } from './map-organizations';
import { mapSend } from './map-sends';
import { coseEs256, mapTwoFactor, mapWebAuthnKey } from './map-two-factor';
import { isPlaceholderUser, mapUser } from './map-users';
import { mapCipher, normalizeCipherJson } from './map-vault';
import { optDate } from './vaultwarden-values';

const sha = (text: string): string => createHash('sha256').update(text).digest('hex');
const NOW = new Date('2026-12-08T03:00:00.000Z');

/** A users row as Vaultwarden's SQLite returns it. */
function vwUser(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    uuid: '4083850d-7bc4-4043-af38-64800a346f8e', created_at: '2026-12-08 02:40:00.123456', updated_at: '2026-12-08 02:45:00.5', email: 'Alice@Example.com',
    name: 'Alice', password_hash: Buffer.alloc(32, 1), salt: Buffer.alloc(64, 2), password_iterations: 600000, password_hint: 'hint', akey: '2.key|iv|mac',
    private_key: '2.priv', public_key: 'pub', totp_secret: null, totp_recover: 'RECOVERY1234', security_stamp: '68e75b6c-1002-4806-bbde-7f6b0473e1e0',
    equivalent_domains: '[["a.com","b.com"]]', excluded_globals: '[1]', client_kdf_type: 1, client_kdf_iter: 3, verified_at: '2026-12-08 02:41:00', last_verifying_at: null,
    login_verify_count: 0, email_new: null, email_new_token: null, enabled: 1, stamp_exception: null, api_key: 'abc', avatar_color: '#ff0000',
    client_kdf_memory: 64, client_kdf_parallelism: 4, external_id: null, ...over,
  };
}

describe('Vaultwarden values', () => {
  it('reads naive timestamps as UTC, with or without fraction', () => {
    expect(optDate({ d: '2026-12-08 02:40:00.123456' }, 'd')?.toISOString()).toBe('2026-12-08T02:40:00.123Z');
    expect(optDate({ d: '2026-12-08T02:40:00' }, 'd')?.toISOString()).toBe('2026-12-08T02:40:00.000Z');
    expect(optDate({ d: null }, 'd')).toBeNull();
  });
});

describe('mapUser', () => {
  it('carries hash, salt and iterations as base64 of the same bytes, and keys, KDF, stamps and settings', () => {
    const notes = new ImportNotes();
    const user = mapUser(vwUser(), notes);
    expect(user).toMatchObject({
      id: '4083850d-7bc4-4043-af38-64800a346f8e', email: 'alice@example.com', name: 'Alice', emailVerified: true, enabled: true,
      passwordHash: Buffer.alloc(32, 1).toString('base64'), passwordSalt: Buffer.alloc(64, 2).toString('base64'), passwordIterations: 600000,
      passwordHint: 'hint', kdfType: 1, kdfIterations: 3, kdfMemory: 64, kdfParallelism: 4, userKey: '2.key|iv|mac', privateKey: '2.priv', publicKey: 'pub',
      securityStamp: '68e75b6c-1002-4806-bbde-7f6b0473e1e0', apiKey: 'abc', twoFactorRecoveryCode: 'RECOVERY1234', avatarColor: '#ff0000',
      equivalentDomains: '[["a.com","b.com"]]', excludedGlobalDomains: '[1]',
    });
    expect(user.creationDate.toISOString()).toBe('2026-12-08T02:40:00.123Z');
    expect(user.revisionDate.toISOString()).toBe('2026-12-08T02:45:00.500Z');
    expect(notes.unmapped).toEqual([]);
  });

  it('generates a missing API key and reports it; reports a pending email change; spots never-registered accounts', () => {
    const notes = new ImportNotes();
    const user = mapUser(vwUser({ api_key: null, email_new: 'new@example.com', email_new_token: '123456', verified_at: null, enabled: 0 }), notes);
    expect(user.apiKey).toMatch(/^[A-Za-z0-9]{30}$/);
    expect(user).toMatchObject({ emailVerified: false, enabled: false, emailNew: null, emailNewToken: null });
    expect(notes.adjustments.map((a) => a.what)).toEqual(['users.api_key']);
    expect(notes.unmapped.map((a) => a.what)).toEqual(['users.email_new (pending email change)']);
    expect(isPlaceholderUser(vwUser({ password_hash: Buffer.alloc(0), akey: '' }))).toBe(true);
    expect(isPlaceholderUser(vwUser())).toBe(false);
  });
});

describe('mapDevice', () => {
  const user = mapUser(vwUser(), new ImportNotes());
  const row = { uuid: '36d95949-4261-4fd3-b217-7729ecd3d1d1', created_at: '2026-12-08 02:40:00', updated_at: '2026-12-08 02:49:00', user_uuid: user.id, name: 'linux', atype: 8, push_token: 'push-1', refresh_token: 'opaque-device-token', twofactor_remember: null, push_uuid: null };

  it('keeps the client identifier (as id when it is one user\'s), the refresh token as SHA-256 hex, the push token', () => {
    const { device, remember } = mapDevice(row, user, false, new ImportNotes());
    expect(device).toMatchObject({ id: row.uuid, identifier: row.uuid, userId: user.id, name: 'linux', type: 8, active: true, refreshTokenHash: sha('opaque-device-token'), pushToken: 'push-1', pushRegistration: null });
    expect(device.refreshTokenLastUsedAt?.toISOString()).toBe('2026-12-08T02:49:00.000Z');
    expect(remember).toBeNull();
  });

  it('gives a shared identifier a stable derived id per user', () => {
    const a = deviceId(row.uuid, 'user-a', true);
    expect(a).not.toBe(row.uuid);
    expect(a).toBe(deviceId(row.uuid, 'user-a', true));
    expect(a).not.toBe(deviceId(row.uuid, 'user-b', true));
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('turns the remember-this-device JWT into a two_factor_remember row (hash, expiry, stamp)', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const token = jwt.sign({ nbf: 1796698143, exp: 1799290143, iss: 'https://localhost:8910|2faremember', sub: row.uuid, user_uuid: user.id }, privateKey, { algorithm: 'RS256' });
    const { remember } = mapDevice({ ...row, twofactor_remember: token }, user, false, new ImportNotes());
    expect(remember).toMatchObject({ deviceId: row.uuid, userId: user.id, tokenHash: sha(token), securityStamp: user.securityStamp });
    expect(remember?.expiresAt.getTime()).toBe(1799290143_000);
  });
});

describe('mapCipher', () => {
  const row = {
    uuid: 'c1', created_at: '2026-12-08 02:40:00', updated_at: '2026-12-08 02:41:00', user_uuid: 'u1', organization_uuid: null, atype: 1, name: '2.n', notes: null,
    fields: '[{"Name":"2.f","Value":"2.v","Type":0}]', data: '{"Username":"2.u","Password":"2.p","Uris":[{"Uri":"2.x","Match":null}]}',
    password_history: '[{"password":"2.old","lastUsedDate":"2026-12-08T02:40:00.000Z"}]', deleted_at: '2026-12-08 02:42:00', reprompt: null, key: '2.itemkey',
  };

  it('keeps every field, lowers PascalCase keys of old rows, carries deleted and archived state', () => {
    const cipher = mapCipher(row, new Date('2026-12-08T02:43:00Z'));
    expect(cipher).toMatchObject({ id: 'c1', userId: 'u1', organizationId: null, type: 1, name: '2.n', key: '2.itemkey', reprompt: 0 });
    expect(JSON.parse(cipher.data)).toEqual({ username: '2.u', password: '2.p', uris: [{ uri: '2.x', match: null }] });
    expect(JSON.parse(cipher.fields ?? 'null')).toEqual([{ name: '2.f', value: '2.v', type: 0 }]);
    expect(JSON.parse(cipher.passwordHistory ?? 'null')).toEqual([{ password: '2.old', lastUsedDate: '2026-12-08T02:40:00.000Z' }]);
    expect(cipher.deletedDate?.toISOString()).toBe('2026-12-08T02:42:00.000Z');
    expect(cipher.archivedDate?.toISOString()).toBe('2026-12-08T02:43:00.000Z');
  });

  it('an organization cipher has no owner and keeps archive marks per user (not on the row)', () => {
    const cipher = mapCipher({ ...row, user_uuid: null, organization_uuid: 'o1' }, new Date());
    expect(cipher).toMatchObject({ userId: null, organizationId: 'o1', archivedDate: null });
    expect(normalizeCipherJson('not json')).toBe('not json');
  });
});

describe('mapSend', () => {
  it('splits Vaultwarden\'s data JSON into columns and base64-encodes the password hash and salt', () => {
    const base = {
      uuid: 's1', user_uuid: 'u1', organization_uuid: null, name: '2.name', notes: null, akey: '2.key', password_hash: null, password_salt: null, password_iter: null,
      max_access_count: 5, access_count: 1, creation_date: '2026-12-08 02:40:00', revision_date: '2026-12-08 02:40:00', expiration_date: null,
      deletion_date: '2027-01-07 02:40:00', disabled: 0, hide_email: 1,
    };
    const text = mapSend({ ...base, atype: 0, data: '{"text":"2.t","hidden":true}', password_hash: Buffer.alloc(32, 7), password_salt: Buffer.alloc(64, 8), password_iter: 100000 });
    expect(text).toMatchObject({ type: 0, text: '2.t', textHidden: true, fileId: null, passwordHash: Buffer.alloc(32, 7).toString('base64'), passwordSalt: Buffer.alloc(64, 8).toString('base64'), passwordIterations: 100000, maxAccessCount: 5, accessCount: 1, hideEmail: true });
    const file = mapSend({ ...base, atype: 1, data: '{"Id":"f1","FileName":"2.fn","Size":"97","SizeName":"97 Bytes"}' });
    expect(file).toMatchObject({ type: 1, text: null, textHidden: null, fileId: 'f1', fileName: '2.fn', fileSize: 97, passwordHash: null });
  });
});

describe('organizations', () => {
  const member = { id: 'u1', email: 'bob@example.com', placeholder: false };
  const row = { uuid: 'm1', user_uuid: 'u1', org_uuid: 'o1', access_all: 0, akey: '4.orgkey', status: 2, atype: 2, reset_password_key: '4.reset', external_id: null, invited_by_email: null };

  it('keeps status, role and keys of a confirmed member', () => {
    expect(mapMembership(row, member, null, NOW, new ImportNotes())).toMatchObject({ id: 'm1', organizationId: 'o1', userId: 'u1', email: null, orgKey: '4.orgkey', resetPasswordKey: '4.reset', status: 2, type: 2, permissions: null });
  });

  it('an invited member (or one of a never-registered account) becomes an email-only invitation; revoked stays revoked', () => {
    expect(mapMembership({ ...row, status: 0, akey: '' }, member, null, NOW, new ImportNotes())).toMatchObject({ userId: null, email: 'bob@example.com', status: 0, orgKey: null });
    expect(mapMembership({ ...row, status: 1 }, { ...member, placeholder: true }, null, NOW, new ImportNotes())).toMatchObject({ userId: null, status: 0 });
    expect(mapMembership({ ...row, status: 2 - 128 }, member, null, NOW, new ImportNotes())).toMatchObject({ userId: 'u1', status: -1 });
    expect(mapMembership({ ...row, status: 0 - 128 }, member, null, NOW, new ImportNotes())).toMatchObject({ userId: null, email: 'bob@example.com', status: -1 });
  });

  it('Manager becomes Custom with manager permissions', () => {
    const notes = new ImportNotes();
    const m = mapMembership({ ...row, atype: 3, access_all: 1 }, member, null, NOW, notes);
    expect(m.type).toBe(4);
    expect(JSON.parse(m.permissions ?? '{}')).toMatchObject({ editAnyCollection: true, deleteAnyCollection: true, createNewCollections: true, manageUsers: false });
    expect(notes.adjustments).toHaveLength(1);
  });

  it('access to all collections becomes full access rows on every collection', () => {
    const direct = [mapCollectionMember('c1', 'm1', { read_only: 1, hide_passwords: 1, manage: 0 })];
    const rows = expandAccessAll(direct, ['c1', 'c2'], (c) => mapCollectionMember(c, 'm1', null), false);
    expect(rows.map((r) => [r.collectionId, r.readOnly, r.hidePasswords, r.manage])).toEqual([['c1', false, false, false], ['c2', false, false, false]]);
  });

  it('a policy keeps type, enabled and data', () => {
    expect(mapPolicy({ uuid: 'p1', org_uuid: 'o1', atype: 1, enabled: 1, data: '{"minLength":12}' }, NOW)).toMatchObject({ type: 1, enabled: true, data: '{"minLength":12}' });
    expect(mapPolicy({ uuid: 'p1', org_uuid: 'o1', atype: 2, enabled: 0, data: 'null' }, NOW).data).toBeNull();
  });
});

describe('two-factor', () => {
  const base = { uuid: 't1', user_uuid: 'u1', enabled: 1, last_used: 59889939 };

  it('authenticator: the base32 key as JSON and the last used time step', () => {
    expect(mapTwoFactor({ ...base, atype: 0, data: 'DQQYBF7JA7ZZIK7EQL3RUPZWEUHEEGL3' }, NOW, new ImportNotes())).toMatchObject({ type: 0, enabled: true, data: '{"key":"DQQYBF7JA7ZZIK7EQL3RUPZWEUHEEGL3"}', lastUsedStep: 59889939 });
  });

  it('email: the address, without a code in flight', () => {
    const row = mapTwoFactor({ ...base, atype: 1, data: '{"email":"c@example.com","last_token":"123456","token_sent":1,"attempts":1}' }, NOW, new ImportNotes());
    expect(JSON.parse(row?.data ?? '{}')).toEqual({ email: 'c@example.com', tokenHash: null, sentAt: null, attempts: 0 });
  });

  it('WebAuthn: an EC2 P-256 passkey becomes credential id and COSE key', () => {
    const x = Buffer.alloc(32, 1);
    const y = Buffer.alloc(32, 2);
    const entry = { id: 1, name: 'YubiKey 5', migrated: false, credential: { cred: { cred_id: 'AQID', cred: { type_: 'ES256', key: { EC_EC2: { curve: 'SECP256R1', x: x.toString('base64url'), y: y.toString('base64url') } } }, counter: 7 } } };
    expect(mapWebAuthnKey(entry)).toEqual({ id: 1, name: 'YubiKey 5', credentialId: 'AQID', publicKey: coseEs256(x, y).toString('base64url'), counter: 7, migrated: false });
    const notes = new ImportNotes();
    const row = mapTwoFactor({ ...base, atype: 7, data: JSON.stringify([entry, { id: 2, name: 'rsa', credential: { cred: { cred_id: 'AQ', cred: { key: { RSA: {} } } } } }]) }, NOW, notes);
    expect(JSON.parse(row?.data ?? '{}').keys).toHaveLength(1);
    expect(notes.unmapped[0]).toMatchObject({ count: 1 });
  });

  it('Duo, YubiKey and challenges in flight are reported, not imported', () => {
    const notes = new ImportNotes();
    expect(mapTwoFactor({ ...base, atype: 2, data: '{}' }, NOW, notes)).toBeNull();
    expect(mapTwoFactor({ ...base, atype: 3, data: '{}', enabled: 0 }, NOW, notes)).toBeNull();
    expect(mapTwoFactor({ ...base, atype: 1003, data: '{}' }, NOW, notes)).toBeNull();
    expect(notes.unmapped.map((n) => n.what)).toEqual(['twofactor Duo (enabled)', 'twofactor YubiKey OTP', 'twofactor challenges in flight']);
  });
});

describe('emergency access and auth requests', () => {
  it('emergency access keeps Vaultwarden\'s columns', () => {
    expect(mapEmergencyAccess({
      uuid: 'e1', grantor_uuid: 'u1', grantee_uuid: 'u2', email: null, key_encrypted: '4.k', atype: 1, status: 2, wait_time_days: 7,
      recovery_initiated_at: null, last_notification_at: null, updated_at: '2026-12-08 02:40:00', created_at: '2026-12-08 02:39:00',
    })).toMatchObject({ id: 'e1', grantorId: 'u1', granteeId: 'u2', keyEncrypted: '4.k', type: 1, status: 2, waitTimeDays: 7 });
  });

  it('a pending auth request keeps its keys; the access code becomes its SHA-256', () => {
    const row = {
      uuid: 'a1', user_uuid: 'u1', organization_uuid: null, request_device_identifier: 'd1', device_type: 8, request_ip: '127.0.0.1', response_device_id: null,
      access_code: 'code-123', public_key: 'pk', enc_key: null, master_password_hash: null, approved: null, creation_date: '2026-12-08 02:40:00', response_date: null, authentication_date: null,
    };
    expect(isPendingAuthRequest(row)).toBe(true);
    expect(isPendingAuthRequest({ ...row, approved: 1 })).toBe(false);
    expect(mapAuthRequest(row)).toMatchObject({ id: 'a1', userId: 'u1', accessCodeHash: sha('code-123'), publicKey: 'pk', approved: null, requestDeviceType: 8 });
  });
});
