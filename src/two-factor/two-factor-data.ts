import { createHash, randomInt } from 'node:crypto';
import { sameText } from '../common/security/same-text';

/**
 * The JSON kept in two_factor.data, by row type. Every shape is read defensively: a row written by an older or
 * newer version, or edited by hand, reads as "nothing there" rather than crashing a login.
 */

/** Provider 0: the authenticator key (base32). Secret. */
export interface AuthenticatorData { key: string }

/** One registered security key of provider 7 (bitwarden/server keeps `Key1`…`Key5`: ids 1 to 5). */
export interface WebAuthnKey {
  id: number;
  name: string;
  /** Credential id, base64url. */
  credentialId: string;
  /** COSE public key, base64url. */
  publicKey: string;
  counter: number;
  transports?: string[];
  migrated: boolean;
}

/** Provider 7. */
export interface WebAuthnData { keys: WebAuthnKey[] }

/** A pending WebAuthn challenge (rows 1003, 1004). The challenge is a secret until answered. */
export interface ChallengeData { challenge: string; expiresAt: string }

/**
 * An emailed code: provider 1 (setup and login codes, with the address they go to) and protected actions (2000).
 * Only the code's SHA-256 is kept.
 */
export interface EmailCodeData {
  email?: string;
  tokenHash: string | null;
  /** When the code was sent (RFC 3339); it expires EMAIL_EXPIRATION_TIME later. */
  sentAt: string | null;
  attempts: number;
}

const object = (text: string): Record<string, unknown> | null => {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
};

export function parseAuthenticator(text: string): AuthenticatorData | null {
  const value = object(text);
  return typeof value?.key === 'string' ? { key: value.key } : null;
}

function isWebAuthnKey(value: unknown): value is WebAuthnKey {
  const k = value as Partial<WebAuthnKey> | null;
  return typeof k === 'object' && k !== null && typeof k.id === 'number' && typeof k.name === 'string' && typeof k.credentialId === 'string'
    && typeof k.publicKey === 'string' && typeof k.counter === 'number';
}

export function parseWebAuthn(text: string): WebAuthnData {
  const keys = object(text)?.keys;
  return { keys: Array.isArray(keys) ? keys.filter(isWebAuthnKey).map((k) => ({ ...k, migrated: k.migrated === true })) : [] };
}

export function parseChallenge(text: string): ChallengeData | null {
  const value = object(text);
  return typeof value?.challenge === 'string' && typeof value.expiresAt === 'string' ? { challenge: value.challenge, expiresAt: value.expiresAt } : null;
}

export function parseEmailCode(text: string): EmailCodeData {
  const value = object(text) ?? {};
  return {
    ...(typeof value.email === 'string' ? { email: value.email } : {}),
    tokenHash: typeof value.tokenHash === 'string' ? value.tokenHash : null,
    sentAt: typeof value.sentAt === 'string' ? value.sentAt : null,
    attempts: typeof value.attempts === 'number' ? value.attempts : 0,
  };
}

export const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

export { sameText };

/** A numeric code of `digits` digits, uniformly random (emailed codes). */
export function numericCode(digits: number): string {
  let code = '';
  for (let i = 0; i < digits; i++) code += String(randomInt(10));
  return code;
}

/** Vaultwarden's obscure_email: the first two characters of the local part, stars for the rest (all stars up to 3). */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 0) return email;
  const name = [...email.slice(0, at)];
  const masked = name.length <= 3 ? '*'.repeat(name.length) : `${name.slice(0, 2).join('')}${'*'.repeat(name.length - 2)}`;
  return `${masked}${email.slice(at)}`;
}
