// TEST CODE ONLY: accounts with a mobile device registered at the relay stand-in, and a small API client.
import { randomBytes, randomUUID } from 'node:crypto';
import { apiCall, Json } from '../support/api';
import { TestApp } from '../support/app';
import { encString } from '../support/seed';
import { RelayStandIn } from '../stand-ins/relay-stand-in';
import {
  ClientDevice, createPbkdf2User, decodeJwtPayload, loginCipherRequest, passwordLogin, TestAccount, TokenResponse, WEB_VAULT,
} from '../support/test-crypto';

export { encString };

export const ANDROID: Omit<ClientDevice, 'identifier'> = { type: 0, name: 'android', clientId: 'mobile' };
export const IOS: Omit<ClientDevice, 'identifier'> = { type: 1, name: 'iphone', clientId: 'mobile' };

/** One logged-in device of an account. */
export interface Session {
  identifier: string;
  deviceId: string;
  accessToken: string;
  refreshToken: string | undefined;
}

export interface PushUser {
  account: TestAccount;
  userId: string;
  web: Session;
  /** Present when the user was created with a mobile device. */
  mobile: Session & { pushToken: string };
}

export type { Json };

export interface Res { status: number; body: Json; text: string }

export async function api(baseUrl: string, token: string | null, method: string, path: string, body?: unknown): Promise<Res> {
  const res = await apiCall(baseUrl, token, method, path, body);
  const text = await res.text();
  let parsed: Json;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: res.status, body: parsed, text };
}

/** Password grant as a client sends it; `extra` adds form fields (e.g. devicePushToken). */
export async function login(baseUrl: string, account: TestAccount, device: ClientDevice, extra: Record<string, string> = {}): Promise<Session> {
  let tokens: TokenResponse;
  if (Object.keys(extra).length === 0) {
    tokens = await passwordLogin(baseUrl, account, device);
  } else {
    const form = new URLSearchParams({
      scope: 'api offline_access', client_id: device.clientId, deviceType: String(device.type), deviceIdentifier: device.identifier,
      deviceName: device.name, grant_type: 'password', username: account.email, password: account.masterPasswordHash, ...extra,
    });
    const res = await fetch(`${baseUrl}/identity/connect/token`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: form.toString() });
    if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
    tokens = (await res.json()) as TokenResponse;
  }
  const device_ = await api(baseUrl, tokens.access_token, 'GET', `/api/devices/identifier/${device.identifier}`);
  if (device_.status !== 200) throw new Error(`device lookup failed: ${device_.status}`);
  return { identifier: device.identifier, deviceId: String(device_.body.id), accessToken: tokens.access_token, refreshToken: tokens.refresh_token };
}

export const newPushToken = (): string => `fcm:${randomBytes(24).toString('base64url')}`;

/**
 * An account with a web-vault session and, unless `mobile` is false, an Android session whose push token is
 * registered at the relay stand-in (waits for the register to arrive).
 */
export async function newPushUser(t: TestApp, relay: RelayStandIn | null, options: { mobile?: boolean; mobileDevice?: Omit<ClientDevice, 'identifier'> } = {}): Promise<PushUser> {
  const account = await createPbkdf2User(t.baseUrl, `push-${randomUUID()}@example.com`, 'correct horse battery staple', 5_000);
  const web = await login(t.baseUrl, account, { ...WEB_VAULT, identifier: randomUUID() });
  const userId = String(decodeJwtPayload(web.accessToken).sub);
  const user = { account, userId, web } as PushUser;
  if (options.mobile === false) return user;
  const mobile = await login(t.baseUrl, account, { ...(options.mobileDevice ?? ANDROID), identifier: randomUUID() });
  const pushToken = newPushToken();
  const res = await api(t.baseUrl, mobile.accessToken, 'PUT', `/api/devices/identifier/${mobile.identifier}/token`, { pushToken });
  if (res.status !== 200) throw new Error(`token update failed: ${res.status} ${res.text}`);
  user.mobile = { ...mobile, pushToken };
  if (relay) await relay.waitFor('the register of the new device', () => relay.bodies('register').some((b) => b.deviceId === mobile.deviceId));
  return user;
}

export function folderBody(): { name: string } {
  return { name: encString() };
}

export function cipherBody(user: PushUser, name = 'item'): Record<string, unknown> {
  return loginCipherRequest(user.account, user.userId, { name, username: 'u', password: 'p', uri: 'https://example.com' });
}

/** RFC 3339 with six fractional digits, as relay payloads carry dates. */
export const micros = (apiDate: string): string => `${new Date(apiDate).toISOString().slice(0, 23)}000Z`;

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
