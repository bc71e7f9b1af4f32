// TEST CODE ONLY: what the organization specs set up the same way: JSON calls, people (an account with a web
// vault token, and where a spec needs them the official CLI and a hub connection of their own), and
// organizations made as the web vault makes them.
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { apiJson, Json, JsonResponse } from './api';
import { TLS_CERT } from './app';
import { BwProfile } from './bw-cli';
import { HubClient, HubNotification } from './hub-client';
import { createPbkdf2User, decodeJwtPayload, encryptType2, encryptType4, passwordLogin, TestAccount, WEB_VAULT } from './test-crypto';

export type { Json, JsonResponse };

export const PASSWORD = 'correct horse battery staple';

interface HasBaseUrl { baseUrl: string }

/** A JSON call against `t`: a Bearer `token` when given, a JSON body when given; the body of the answer parsed. */
export const call = (t: HasBaseUrl, token: string | null, method: string, path: string, body?: unknown): Promise<JsonResponse> =>
  apiJson(t.baseUrl, token, method, path, body);

export interface Person { account: TestAccount; token: string; userId: string }

/** A new account `name-<uuid>@example.com` (PASSWORD) logged in as the web vault. */
export async function newPerson(t: HasBaseUrl, name: string): Promise<Person> {
  const account = await createPbkdf2User(t.baseUrl, `${name}-${randomUUID()}@example.com`, PASSWORD, 5_000);
  const token = (await passwordLogin(t.baseUrl, account, { ...WEB_VAULT, identifier: randomUUID() })).access_token;
  return { account, token, userId: String(decodeJwtPayload(token).sub) };
}

/** The official SignalR client on another web vault device of `account` (a login of its own). */
export async function connectHub(t: HasBaseUrl, account: TestAccount): Promise<HubClient> {
  return HubClient.connect(t.baseUrl, (await passwordLogin(t.baseUrl, account, { ...WEB_VAULT, identifier: randomUUID() })).access_token);
}

/** The official CLI logged in as `account`. */
export async function loginCli(t: HasBaseUrl, account: TestAccount): Promise<BwProfile> {
  const cli = new BwProfile(TLS_CERT);
  await cli.login(t.baseUrl, account.email, PASSWORD);
  return cli;
}

/** The body of POST /api/organizations as the web vault builds it, with the keys it would make. */
export function organizationRequest(account: TestAccount, name: string, collectionName: string): { body: Record<string, unknown>; orgKey: Buffer; publicKey: string } {
  const orgKey = randomBytes(64);
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 0x10001 });
  const publicKey = pair.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  return {
    orgKey,
    publicKey,
    body: {
      name, billingEmail: account.email, planType: 0, key: encryptType4(orgKey, account.publicKey),
      keys: { publicKey, encryptedPrivateKey: encryptType2(pair.privateKey.export({ type: 'pkcs8', format: 'der' }), orgKey) },
      collectionName: encryptType2(collectionName, orgKey), initiationPath: 'New organization', paymentMethodType: null, additionalSeats: 0,
    },
  };
}

export interface Organization { id: string; key: Buffer; publicKey: string; collectionId: string }

/** An organization created by `creator` as the web vault does (asserting 200); the creator manages its first collection. */
export async function createOrganization(t: HasBaseUrl, creator: { account: TestAccount; token: string }, name: string, collectionName = 'Shared'): Promise<Organization> {
  const request = organizationRequest(creator.account, name, collectionName);
  const created = await call(t, creator.token, 'POST', '/api/organizations', request.body);
  expect(created.status).toBe(200);
  const id = created.body.id as string;
  const collectionId = (await call(t, creator.token, 'GET', `/api/organizations/${id}/collections`)).body.data[0].id as string;
  return { id, key: request.orgKey, publicKey: request.publicKey, collectionId };
}

/**
 * Invites `people` (accepted at once: their accounts exist) with `invite` added to the request, confirms each
 * with the organization key wrapped to their public key (asserting 200), and returns every member's id by email.
 */
export async function addMembers(
  t: HasBaseUrl, admin: { token: string }, org: { id: string; key: Buffer }, people: Array<{ account: TestAccount }>, invite: Record<string, unknown> = {},
): Promise<(who: { account: TestAccount }) => string> {
  expect((await call(t, admin.token, 'POST', `/api/organizations/${org.id}/users/invite`, { emails: people.map((p) => p.account.email), type: 2, ...invite })).status).toBe(200);
  const members: Json[] = (await call(t, admin.token, 'GET', `/api/organizations/${org.id}/users`)).body.data;
  const memberId = (who: { account: TestAccount }): string => members.find((m) => m.email === who.account.email).id;
  for (const p of people) {
    expect((await call(t, admin.token, 'POST', `/api/organizations/${org.id}/users/${memberId(p)}/confirm`, { key: encryptType4(org.key, p.account.publicKey) })).status).toBe(200);
  }
  return memberId;
}

/** A hub message about `cipherId` of `type`. */
export const about = (cipherId: string, type: number) => (n: HubNotification): boolean => n.Type === type && String(n.Payload.Id).toLowerCase() === cipherId;

/**
 * Nothing that `matches` reached `p`: checked after a change of p's own (a folder) has arrived, as messages to
 * one socket keep their order.
 */
export async function nothingReaches(t: HasBaseUrl, p: { token: string; hub: HubClient }, matches: (n: HubNotification) => boolean): Promise<void> {
  const folder = await call(t, p.token, 'POST', '/api/folders', { name: encryptType2('sentinel', randomBytes(64)) });
  await p.hub.waitFor((n) => n.Type === 7 && String(n.Payload.Id).toLowerCase() === folder.body.id);
  await expect(p.hub.waitFor(matches, 50)).rejects.toThrow();
}
