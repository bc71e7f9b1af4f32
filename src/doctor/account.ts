// Talking to the API as a client would: prelogin + password grant, and the folder used for the round trip.
import { randomBytes } from 'node:crypto';
import { decryptType2, encryptType2, masterPasswordHash, pbkdf2MasterKey, stableDeviceIdentifier, stretchMasterKey } from './client-crypto';
import { diagnoseHttpStatus, diagnoseNetFailure, Finding, ProxyProduct } from './diagnose';
import { parseJson, send } from './http-client';

/** A path below the public URL, keeping its sub-path: endpoint(https://h/vault, '/api/x') = https://h/vault/api/x. */
export function endpoint(base: URL, path: string): URL {
  return new URL(`${base.pathname.replace(/\/+$/, '')}${path}`, base.origin);
}

export type LoginOutcome = { ok: true; accessToken: string; userKey: Buffer | null; finding: Finding } | { ok: false; finding: Finding };

const CLIENT_VERSION = '2026.6.0';
/** The doctor presents itself as a CLI device (type 25, Linux CLI); one device row per account. */
const DEVICE = { type: '25', name: 'vaultwave-doctor', clientId: 'cli' };

function loginFailed(summary: string, cause: string, fix: string): LoginOutcome {
  return { ok: false, finding: { check: 'login', status: 'fail', summary, problem: 'LOGIN_FAILED', cause, fix } };
}

/** Logs in with the master password the way the official clients do (PBKDF2 accounts). */
export async function passwordLogin(base: URL, email: string, password: string, ca: string[] | undefined, product: ProxyProduct): Promise<LoginOutcome> {
  const json = { 'Content-Type': 'application/json; charset=utf-8' };
  const prelogin = await send(endpoint(base, '/identity/accounts/prelogin'), { method: 'POST', headers: json, body: JSON.stringify({ email }), ca });
  if (!prelogin.ok) return { ok: false, finding: diagnoseNetFailure('login', 'POST /identity/accounts/prelogin', base, prelogin.error) };
  if (prelogin.status !== 200) return { ok: false, finding: diagnoseHttpStatus('login', '/identity/accounts/prelogin', prelogin.status, prelogin.body, base, product) };
  const kdf = parseJson(prelogin.body) as { kdf?: number; kdfIterations?: number } | undefined;
  if (kdf?.kdf !== 0 || typeof kdf.kdfIterations !== 'number') {
    return loginFailed('this account does not use PBKDF2', 'the doctor derives the master key with PBKDF2 only; this account uses Argon2id (or prelogin answered oddly).',
      'pass an access token with --token instead (for example from the web vault\'s developer tools: the access_token of a request to /api).');
  }
  const masterKey = pbkdf2MasterKey(password, email, kdf.kdfIterations);
  const form = {
    scope: 'api offline_access', client_id: DEVICE.clientId, deviceType: DEVICE.type, deviceIdentifier: stableDeviceIdentifier(email),
    deviceName: DEVICE.name, grant_type: 'password', username: email.trim().toLowerCase(), password: masterPasswordHash(masterKey, password),
  };
  const body = Object.entries(form).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
  const token = await send(endpoint(base, '/identity/connect/token'), {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8', 'Device-Type': DEVICE.type, 'Bitwarden-Client-Name': DEVICE.clientId, 'Bitwarden-Client-Version': CLIENT_VERSION },
    body,
    ca,
  });
  if (!token.ok) return { ok: false, finding: diagnoseNetFailure('login', 'POST /identity/connect/token', base, token.error) };
  const answer = parseJson(token.body) as { access_token?: string; Key?: string; key?: string; error_description?: string; ErrorModel?: { Message?: string }; message?: string; TwoFactorProviders?: unknown } | undefined;
  if (token.status === 200 && typeof answer?.access_token === 'string') {
    let userKey: Buffer | null = null;
    const wrapped = answer.Key ?? answer.key;
    if (typeof wrapped === 'string') {
      try {
        userKey = decryptType2(wrapped, stretchMasterKey(masterKey));
      } catch {
        userKey = null;
      }
    }
    return { ok: true, accessToken: answer.access_token, userKey, finding: { check: 'login', status: 'pass', summary: `logged in as ${email.trim().toLowerCase()} (device "${DEVICE.name}")` } };
  }
  if (answer?.TwoFactorProviders) {
    return loginFailed('the account asks for two-step login', 'the doctor cannot answer a two-step login prompt.', 'pass an access token with --token instead.');
  }
  if (token.status === 400) {
    const reason = answer?.ErrorModel?.Message ?? answer?.message ?? answer?.error_description ?? token.body.slice(0, 160);
    return loginFailed(`POST /identity/connect/token answered 400: ${reason}`, 'the server refused the email or master password (this is not a proxy problem).', 'check the email and master password, then run the doctor again.');
  }
  return { ok: false, finding: diagnoseHttpStatus('login', '/identity/connect/token', token.status, token.body, base, product) };
}

/** Seconds until the token's `exp`, or null when it is not a readable JWT. */
export function tokenSecondsLeft(token: string, nowMs = Date.now()): number | null {
  const payload = token.split('.')[1];
  if (!payload) return null;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: unknown };
    return typeof claims.exp === 'number' ? Math.floor(claims.exp - nowMs / 1000) : null;
  } catch {
    return null;
  }
}

/** The folder name: readable when the user key is known, otherwise a well-formed EncString nobody can open. */
export function folderName(userKey: Buffer | null): string {
  return encryptType2('Vaultwave doctor (temporary, safe to delete)', userKey ?? randomBytes(64));
}

export async function createFolder(base: URL, token: string, name: string, ca: string[] | undefined): Promise<{ id: string } | { error: string }> {
  const res = await send(endpoint(base, '/api/folders'), {
    method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json; charset=utf-8' }, body: JSON.stringify({ name }), ca,
  });
  if (!res.ok) return { error: `${res.error.code}: ${res.error.message}` };
  const folder = parseJson(res.body) as { id?: unknown } | undefined;
  if (res.status !== 200 || typeof folder?.id !== 'string') return { error: `POST /api/folders answered ${res.status}: ${res.body.slice(0, 160)}` };
  return { id: folder.id };
}

export async function deleteFolder(base: URL, token: string, id: string, ca: string[] | undefined): Promise<string | null> {
  const res = await send(endpoint(base, `/api/folders/${id}`), { method: 'DELETE', headers: { Authorization: `Bearer ${token}` }, ca });
  if (!res.ok) return `${res.error.code}: ${res.error.message}`;
  return res.status === 200 ? null : `DELETE /api/folders/${id} answered ${res.status}`;
}
