import { randomInt } from 'node:crypto';
import { UserEntity, UserInvitationEntity } from '../db/entities';
import { ImportNotes } from './import-notes';
import { convertPasswordHash } from './password-hash';
import { bool, bytes, date, int, optDate, optInt, optStr, str, VwRow } from './vaultwarden-values';

/**
 * A Vaultwarden user row with no password is an account that was invited (to the server or an organization) and
 * never registered: Vaultwave has no account for it; its invitations become user_invitations / email-only memberships.
 */
export function isPlaceholderUser(row: VwRow): boolean {
  return bytes(row, 'password_hash').length === 0 || (optStr(row, 'akey') ?? '') === '';
}

const API_KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Users (Vaultwarden `users`): hash, salt and iterations as they are; keys, KDF, stamps and settings copied. */
export function mapUser(row: VwRow, notes: ImportNotes): UserEntity {
  const password = convertPasswordHash(bytes(row, 'password_hash'), bytes(row, 'salt'), int(row, 'password_iterations'));
  let apiKey = optStr(row, 'api_key');
  if (!apiKey) {
    apiKey = Array.from({ length: 30 }, () => API_KEY_ALPHABET[randomInt(API_KEY_ALPHABET.length)]).join('');
    notes.adjust('users.api_key', 'no personal API key in Vaultwarden: a new one was generated');
  }
  if (optStr(row, 'email_new')) notes.skip('users.email_new (pending email change)', 'the emailed code is not carried over: the user asks for a new one');
  if (optStr(row, 'external_id')) notes.skip('users.external_id', 'Vaultwave keeps no external id on accounts (SSO/directory sync)');
  if (optStr(row, 'stamp_exception')) notes.skip('users.stamp_exception', 'a short-lived exception to the security stamp check; ends with the import');
  const updated = date(row, 'updated_at');
  return Object.assign(new UserEntity(), {
    id: str(row, 'uuid'),
    email: str(row, 'email').toLowerCase(),
    name: optStr(row, 'name'),
    emailVerified: optDate(row, 'verified_at') !== null,
    enabled: bool(row, 'enabled'),
    passwordHash: password.hash,
    passwordSalt: password.salt,
    passwordIterations: password.iterations,
    passwordHint: optStr(row, 'password_hint'),
    kdfType: int(row, 'client_kdf_type'),
    kdfIterations: int(row, 'client_kdf_iter'),
    kdfMemory: optInt(row, 'client_kdf_memory'),
    kdfParallelism: optInt(row, 'client_kdf_parallelism'),
    userKey: str(row, 'akey'),
    privateKey: optStr(row, 'private_key'),
    publicKey: optStr(row, 'public_key'),
    userKeyId: null,
    securityStamp: str(row, 'security_stamp'),
    apiKey,
    twoFactorRecoveryCode: optStr(row, 'totp_recover'),
    lastVerifyingAt: optDate(row, 'last_verifying_at'),
    loginVerifyCount: optInt(row, 'login_verify_count') ?? 0,
    emailNew: null,
    emailNewToken: null,
    emailNewSentAt: null,
    emailNewAttempts: 0,
    culture: 'en-US',
    avatarColor: optStr(row, 'avatar_color'),
    equivalentDomains: optStr(row, 'equivalent_domains') ?? '[]',
    excludedGlobalDomains: optStr(row, 'excluded_globals') ?? '[]',
    creationDate: date(row, 'created_at'),
    updatedDate: updated,
    // Vaultwarden's account revision date is the user's updated_at.
    revisionDate: updated,
  });
}

/** Server invitations (Vaultwarden `invitations`, and placeholder accounts of invited addresses). */
export function mapInvitation(email: string, now: Date): UserInvitationEntity {
  return Object.assign(new UserInvitationEntity(), { email: email.toLowerCase(), invitedAt: now });
}
