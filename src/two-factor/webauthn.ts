import {
  AuthenticationResponseJSON, generateAuthenticationOptions, generateRegistrationOptions, PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON, RegistrationResponseJSON, verifyAuthenticationResponse, verifyRegistrationResponse,
} from '@simplewebauthn/server';
import { AppConfig } from '../config/app-config';
import { SERVER_NAME } from '../config/server-info';
import { WebAuthnKey } from './two-factor-data';

/** The relying party: its id is DOMAIN's host name, the origin DOMAIN's origin (Vaultwarden's rule). */
export interface RelyingParty { id: string; name: string; origin: string }

export function relyingParty(config: AppConfig): RelyingParty {
  return { id: config.domain.hostname, name: SERVER_NAME, origin: config.domain.origin };
}

/** How long the client may take to answer (the options' `timeout`), and how long the server keeps a challenge. */
export const WEBAUTHN_TIMEOUT_MS = 60_000;
export const WEBAUTHN_CHALLENGE_TTL_MS = 5 * 60_000;
/** Most security keys one account registers (bitwarden/server's premium limit). */
export const WEBAUTHN_MAX_KEYS = 5;
/** ES256, EdDSA, RS256: what security keys and platform authenticators use. */
const ALGORITHMS = [-7, -8, -257];

const UUID_HEX = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/** The user handle bitwarden/server uses: the 16 bytes of the user id. */
function userHandle(userId: string): Uint8Array<ArrayBuffer> {
  return toArray(UUID_HEX.test(userId) ? Buffer.from(userId.replace(/-/g, ''), 'hex') : Buffer.from(userId, 'utf8'));
}

/**
 * Registration options for a second-factor security key, as bitwarden/server asks for one: no resident key,
 * user verification discouraged, attestation none; the account's keys excluded.
 */
export function registrationOptions(rp: RelyingParty, user: { id: string; email: string; name: string | null }, keys: WebAuthnKey[]): Promise<PublicKeyCredentialCreationOptionsJSON> {
  return generateRegistrationOptions({
    rpName: rp.name,
    rpID: rp.id,
    userName: user.email,
    userID: userHandle(user.id),
    userDisplayName: user.name ?? user.email,
    timeout: WEBAUTHN_TIMEOUT_MS,
    attestationType: 'none',
    excludeCredentials: keys.map((key) => ({ id: key.credentialId, ...(key.transports ? { transports: key.transports } : {}) })),
    authenticatorSelection: { residentKey: 'discouraged', requireResidentKey: false, userVerification: 'discouraged' },
    supportedAlgorithmIDs: ALGORITHMS,
  });
}

/** Login options: any of the account's keys, user verification discouraged. */
export function assertionOptions(rp: RelyingParty, keys: WebAuthnKey[]): Promise<PublicKeyCredentialRequestOptionsJSON> {
  return generateAuthenticationOptions({
    rpID: rp.id,
    allowCredentials: keys.map((key) => ({ id: key.credentialId, ...(key.transports ? { transports: key.transports } : {}) })),
    timeout: WEBAUTHN_TIMEOUT_MS,
    userVerification: 'discouraged',
  });
}

/** A copy on a plain ArrayBuffer (the library's Uint8Array type excludes Node's pooled buffers). */
function toArray(bytes: Buffer): Uint8Array<ArrayBuffer> {
  const copy = new Uint8Array(new ArrayBuffer(bytes.length));
  copy.set(bytes);
  return copy;
}

const record = (value: unknown): Record<string, unknown> | null =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;

/** First string field of `names` (any of the spellings the clients use), re-encoded as base64url; null when none. */
function binaryField(source: Record<string, unknown> | null, ...names: string[]): string | null {
  for (const name of names) {
    const value = source?.[name];
    // Node's base64 decoder reads both alphabets (the clients send standard base64 or base64url).
    if (typeof value === 'string' && value !== '' && value.length <= 65_536) return Buffer.from(value, 'base64').toString('base64url');
  }
  return null;
}

/**
 * The attestation of PUT /api/two-factor/webauthn as the clients send it (`deviceResponse`: id, rawId, type,
 * response.AttestationObject / attestationObject and clientDataJson / clientDataJSON, base64 or base64url), as
 * the library's JSON. The credential id is read from `id` (older clients put base64 of the id string in rawId).
 */
export function registrationResponse(deviceResponse: unknown): RegistrationResponseJSON | null {
  const body = record(deviceResponse);
  const response = record(body?.response);
  const id = binaryField(body, 'id');
  const attestationObject = binaryField(response, 'AttestationObject', 'attestationObject');
  const clientDataJSON = binaryField(response, 'clientDataJson', 'clientDataJSON', 'ClientDataJson');
  if (!id || !attestationObject || !clientDataJSON) return null;
  const transports = Array.isArray(response?.transports) ? response.transports.filter((t): t is string => typeof t === 'string') : undefined;
  return {
    id, rawId: id, type: 'public-key', clientExtensionResults: {},
    response: { attestationObject, clientDataJSON, ...(transports ? { transports: transports as AuthenticatorTransportFuture[] } : {}) },
  };
}

type AuthenticatorTransportFuture = NonNullable<RegistrationResponseJSON['response']['transports']>[number];

/**
 * The assertion the clients send as `twoFactorToken` for provider 7: a JSON string with id, rawId, type,
 * extensions, response.authenticatorData, clientDataJson (or clientDataJSON), signature and userHandle, base64url.
 */
export function assertionResponse(token: string): AuthenticationResponseJSON | null {
  if (token.length > 65_536) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(token);
  } catch {
    return null;
  }
  const body = record(parsed);
  const response = record(body?.response);
  const id = binaryField(body, 'id') ?? binaryField(body, 'rawId');
  const authenticatorData = binaryField(response, 'authenticatorData', 'AuthenticatorData');
  const clientDataJSON = binaryField(response, 'clientDataJson', 'clientDataJSON', 'ClientDataJson');
  const signature = binaryField(response, 'signature', 'Signature');
  if (!id || !authenticatorData || !clientDataJSON || !signature) return null;
  const userHandleValue = binaryField(response, 'userHandle', 'UserHandle');
  return {
    id, rawId: id, type: 'public-key', clientExtensionResults: {},
    response: { authenticatorData, clientDataJSON, signature, ...(userHandleValue ? { userHandle: userHandleValue } : {}) },
  };
}

export interface NewCredential { credentialId: string; publicKey: string; counter: number; transports?: string[] }

/** Verifies an attestation against the challenge the server issued; the new credential, or null. Never throws. */
export async function verifyRegistration(rp: RelyingParty, response: RegistrationResponseJSON, expectedChallenge: string): Promise<NewCredential | null> {
  try {
    const result = await verifyRegistrationResponse({
      response, expectedChallenge, expectedOrigin: rp.origin, expectedRPID: rp.id,
      requireUserVerification: false, supportedAlgorithmIDs: ALGORITHMS,
    });
    if (!result.verified) return null;
    const { credential } = result.registrationInfo;
    return {
      credentialId: credential.id, publicKey: Buffer.from(credential.publicKey).toString('base64url'), counter: credential.counter,
      ...(credential.transports?.length ? { transports: credential.transports } : {}),
    };
  } catch {
    return null;
  }
}

/** Verifies an assertion by one of `keys`: the key used and its new signature counter, or null. Never throws. */
export async function verifyAssertion(
  rp: RelyingParty, response: AuthenticationResponseJSON, expectedChallenge: string, keys: WebAuthnKey[],
): Promise<{ key: WebAuthnKey; newCounter: number } | null> {
  const key = keys.find((k) => k.credentialId === response.id);
  if (!key) return null;
  try {
    const result = await verifyAuthenticationResponse({
      response, expectedChallenge, expectedOrigin: rp.origin, expectedRPID: rp.id, requireUserVerification: false,
      credential: { id: key.credentialId, publicKey: toArray(Buffer.from(key.publicKey, 'base64url')), counter: key.counter },
    });
    return result.verified ? { key, newCounter: result.authenticationInfo.newCounter } : null;
  } catch {
    return null;
  }
}
