/**
 * Accounts for bench scenarios, set up over HTTP the way the official clients do it, on any API target.
 */
import { randomUUID } from 'node:crypto';
import { decodeJwtPayload, makePbkdf2Account, passwordLogin, registerAccount, TestAccount, WEB_VAULT } from '../../test/support/test-crypto';
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
