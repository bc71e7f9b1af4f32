/**
 * Accounts for bench scenarios, set up over HTTP the way the official clients do it, on any API target.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { decodeJwtPayload, loginCipherRequest, makePbkdf2Account, passwordLogin, registerAccount, TestAccount, WEB_VAULT } from '../../test/support/test-crypto';
import { Target } from './targets';

export interface BenchAccount {
  account: TestAccount;
  /** Access token of a web-vault device. */
  token: string;
  userId: string;
}

/**
 * Registers and logs in one account. 100,000 client-side iterations: Vaultwarden's minimum. Vaultwarden rate-limits
 * send-verification-email per address, so it gets the single-request registration the clients also use.
 */
export async function openAccount(target: Target): Promise<BenchAccount> {
  const account = makePbkdf2Account(`bench-${randomUUID()}@example.com`, 'pw', 100_000);
  await registerAccount(target.baseUrl, account, { shape: target.kind === 'vaultwarden' ? 'legacy-register' : 'finish' });
  const { access_token } = await passwordLogin(target.baseUrl, account, { ...WEB_VAULT, identifier: randomUUID() });
  return { account, token: access_token, userId: String(decodeJwtPayload(access_token).sub) };
}

export interface BenchUser { token: string; body: () => unknown }

/**
 * `users` accounts on the target (the floor takes any token), each with a few encrypted cipher bodies made up
 * front so the load generator spends its time sending. Four at a time: registration and login hash on the
 * server, and this server's hashing gate turns a burst away.
 */
export async function provisionUsers(target: Target, users: number): Promise<BenchUser[]> {
  if (target.kind === 'ws-floor') return Array.from({ length: users }, () => ({ token: randomUUID(), body: () => ({ type: 1 }) }));
  const made: BenchUser[] = [];
  for (let i = 0; i < users; i += 4) {
    made.push(...await Promise.all(Array.from({ length: Math.min(4, users - i) }, async () => {
      const { account, token, userId } = await openAccount(target);
      const bodies = Array.from({ length: 8 }, (_, n) => loginCipherRequest(account, userId, { name: `item ${n}`, username: 'u', password: 'p', uri: 'https://bench.example' }));
      let next = 0;
      return { token, body: () => bodies[next++ % bodies.length] };
    })));
  }
  return made;
}

/** The password grant of an Android client, with its push token (the server queues the device's registration). */
export async function mobileLogin(baseUrl: string, account: TestAccount): Promise<void> {
  const form = new URLSearchParams({
    scope: 'api offline_access', client_id: 'mobile', deviceType: '0', deviceIdentifier: randomUUID(), deviceName: 'android',
    grant_type: 'password', username: account.email, password: account.masterPasswordHash, devicePushToken: `fcm:${randomBytes(24).toString('base64url')}`,
  });
  const res = await fetch(`${baseUrl}/identity/connect/token`, {
    method: 'POST', body: form,
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Device-Type': '0', 'Bitwarden-Client-Name': 'mobile', 'Bitwarden-Client-Version': '2026.6.0' },
  });
  if (!res.ok) throw new Error(`mobile login: ${res.status} ${await res.text()}`);
}
