// TEST CODE ONLY: admin approval of logins as the clients do it, shared by the e2e spec (SQLite) and the
// PostgreSQL/MariaDB integration spec: account recovery switched on and a member enrolled through the official
// routes, a new web-vault device asking its organizations' admins with a fresh RSA key pair and access code, its
// anonymous poll, the admins' pending list, and the user key the web vault re-encrypts to the request to approve.
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { call, Json, Organization, Person } from './org-harness';
import { decryptType2, decryptType4, encryptType4, passwordLogin, WEB_VAULT } from './test-crypto';

interface HasBaseUrl { baseUrl: string }

/** The requesting device: its login, identifier, RSA key pair (private key as PKCS#8 DER) and access code. */
export interface NewDevice { token: string; identifier: string; privateKeyDer: Buffer; publicKey: string; accessCode: string }

/** Account recovery needs the Single organization policy (3); then Account recovery (8) without auto-enrollment. */
export async function enableAccountRecovery(t: HasBaseUrl, owner: Person, org: Organization): Promise<void> {
  for (const [type, data] of [[3, null], [8, { autoEnrollEnabled: false }]] as const) {
    expect((await call(t, owner.token, 'PUT', `/api/organizations/${org.id}/policies/${type}`, { policy: { type, enabled: true, data }, metadata: {} })).status).toBe(200);
  }
}

/** `member` enrolls through the official route: its user key encrypted to the organization's public key. */
export async function enrollInAccountRecovery(t: HasBaseUrl, org: Organization, member: Person): Promise<void> {
  const enrolled = await call(t, member.token, 'PUT', `/api/organizations/${org.id}/users/${member.userId}/reset-password-enrollment`, {
    resetPasswordKey: encryptType4(member.account.secrets.userKey, org.publicKey), masterPasswordHash: member.account.masterPasswordHash,
  });
  expect(enrolled.status).toBe(200);
}

/** A new web-vault device of `who` logs in and asks its organizations' admins, with a fresh key pair and access code. */
export async function askAdmins(t: HasBaseUrl, who: Person): Promise<{ id: string; device: NewDevice }> {
  const identifier = randomUUID();
  const token = (await passwordLogin(t.baseUrl, who.account, { ...WEB_VAULT, identifier })).access_token;
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 0x10001 });
  const device: NewDevice = {
    token, identifier, accessCode: randomBytes(16).toString('base64url'),
    privateKeyDer: pair.privateKey.export({ type: 'pkcs8', format: 'der' }), publicKey: pair.publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
  };
  const res = await fetch(`${t.baseUrl}/api/auth-requests/admin-request`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'Device-Type': String(WEB_VAULT.type) },
    body: JSON.stringify({ email: who.account.email, publicKey: device.publicKey, deviceIdentifier: identifier, accessCode: device.accessCode, type: 2 }),
  });
  const body = (await res.json()) as Json;
  expect(res.status).toBe(200);
  expect(body).toMatchObject({ object: 'auth-request', publicKey: device.publicKey, requestDeviceIdentifier: identifier, requestApproved: false, key: null });
  return { id: body.id as string, device };
}

/** The requesting device's anonymous poll (GET /api/auth-requests/{id}/response?code=…): status and body. */
export async function pollResponse(t: HasBaseUrl, id: string, device: NewDevice): Promise<{ status: number; body: Json }> {
  const res = await fetch(`${t.baseUrl}/api/auth-requests/${id}/response?code=${encodeURIComponent(device.accessCode)}`);
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

/** The poll, asserting 200. */
export async function poll(t: HasBaseUrl, id: string, device: NewDevice): Promise<Json> {
  const { status, body } = await pollResponse(t, id, device);
  expect(status).toBe(200);
  return body;
}

/** GET /api/organizations/{orgId}/auth-requests as `who` (asserting 200 and the list envelope): the pending requests. */
export async function listPending(t: HasBaseUrl, who: Person, orgId: string): Promise<Json[]> {
  const res = await call(t, who.token, 'GET', `/api/organizations/${orgId}/auth-requests`);
  expect(res.status).toBe(200);
  expect(res.body).toMatchObject({ object: 'list', continuationToken: null });
  return res.body.data as Json[];
}

/**
 * What the web vault computes to approve `request` (a pending-org-auth-request as listed) as `admin`: the
 * organization key from the sync, the organization's private key from the reset-password details, the member's
 * user key from its reset-password key, re-encrypted to the request's public key.
 */
export async function encryptedUserKeyFor(t: HasBaseUrl, admin: Person, orgId: string, request: Json): Promise<string> {
  const sync = await call(t, admin.token, 'GET', '/api/sync');
  const wrappedOrgKey = (sync.body.profile.organizations as Json[]).find((o) => o.id === orgId).key as string;
  const orgKey = decryptType4(wrappedOrgKey, admin.account.secrets.privateKeyDer);
  const details = await call(t, admin.token, 'GET', `/api/organizations/${orgId}/users/${request.organizationUserId}/reset-password-details`);
  expect(details.status).toBe(200);
  const orgPrivateKey = decryptType2(details.body.encryptedPrivateKey as string, orgKey);
  const userKey = decryptType4(details.body.resetPasswordKey as string, orgPrivateKey);
  return encryptType4(userKey, request.publicKey as string);
}
