// Organization policies over HTTP as the web vault's Admin Console saves them, seen through the member's sync,
// and enforced where bitwarden/server enforces them: Single organization on confirm and organization creation,
// Require two-step login on confirm (and revoking members when turned on: the member's hub gets 6), and
// "remove individual vault" on personal items created with the official CLI. Account recovery enrollment.
import { randomBytes, randomUUID } from 'node:crypto';
import { InviteTokenService } from '../../src/organizations/invite-token.service';
import { createTestApp, TestApp } from '../support/app';
import { BwProfile } from '../support/bw-cli';
import { createMysqlDatabase, createPostgresDatabase, describeWithServices } from '../support/services';
import {
  call as callApi, connectHub, createOrganization as createOrg, Json, loginCli, newPerson, Organization, Person,
} from '../support/org-harness';
import { encryptType2, encryptType4, passwordLogin, WEB_VAULT } from '../support/test-crypto';

describe('organization policies: Admin Console saves, member sync, enforcement', () => {
  let t: TestApp;
  let owner: Person;

  const call = (token: string | null, method: string, path: string, body?: unknown) => callApi(t, token, method, path, body);
  const person = (name: string): Promise<Person> => newPerson(t, name);
  const createOrganization = (creator: Person, name: string): Promise<Organization> => createOrg(t, creator, name);

  const memberId = async (org: Organization, admin: Person, email: string): Promise<string> =>
    ((await call(admin.token, 'GET', `/api/organizations/${org.id}/users`)).body.data as Json[]).find((m) => m.email === email).id;

  /** Invites (accepted at once: the account exists) and, unless told otherwise, confirms with the org key wrapped to their public key. */
  const join = async (org: Organization, admin: Person, p: Person, type = 2, confirm = true): Promise<{ id: string; confirmed: { status: number; body: Json } | null }> => {
    const invited = await call(admin.token, 'POST', `/api/organizations/${org.id}/users/invite`, {
      emails: [p.account.email], type, collections: [{ id: org.collectionId, readOnly: false, hidePasswords: false, manage: false }], groups: [], accessSecretsManager: false,
    });
    expect(invited.status).toBe(200);
    const id = await memberId(org, admin, p.account.email);
    const confirmed = confirm ? await call(admin.token, 'POST', `/api/organizations/${org.id}/users/${id}/confirm`, { key: encryptType4(org.key, p.account.publicKey) }) : null;
    return { id, confirmed };
  };

  /** The body the current web vault sends (SavePolicyRequest). */
  const putPolicy = (who: Person, org: Organization, type: number, enabled: boolean, data: Record<string, unknown> | null = null) =>
    call(who.token, 'PUT', `/api/organizations/${org.id}/policies/${type}`, { policy: { type, enabled, data }, metadata: {} });

  beforeAll(async () => {
    t = await createTestApp();
    owner = await person('policy-owner');
  }, 60_000);

  afterAll(async () => {
    await t?.close();
  });

  it('the Admin Console saves and reads policies; members get them in sync, a plain member may not change them (404)', async () => {
    const org = await createOrganization(owner, 'Policies');
    const bob = await person('policy-bob');
    await join(org, owner, bob);

    const saved = await putPolicy(owner, org, 1, true, { minComplexity: 3, minLength: 14, requireUpper: true, requireLower: false, requireNumbers: true, requireSpecial: false, enforceOnLogin: true });
    expect(saved.status).toBe(200);
    expect(saved.body).toEqual({
      id: expect.any(String), organizationId: org.id, type: 1, enabled: true, revisionDate: expect.any(String), object: 'policy',
      data: { minComplexity: 3, minLength: 14, requireUpper: true, requireLower: false, requireNumbers: true, requireSpecial: false, enforceOnLogin: true },
    });
    // Older clients: {enabled, data} alone, and the …/vnext route; keys in any case.
    expect((await call(owner.token, 'PUT', `/api/organizations/${org.id}/policies/2`, { Enabled: true, Data: { minLength: 20, useSpecial: true } })).status).toBe(200);
    expect((await call(owner.token, 'PUT', `/api/organizations/${org.id}/policies/7/vnext`, { policy: { enabled: true, data: { disableHideEmail: true } } })).status).toBe(200);

    const one = await call(owner.token, 'GET', `/api/organizations/${org.id}/policies/2`);
    expect(one.body).toEqual({ organizationId: org.id, type: 2, data: { minLength: 20, useSpecial: true }, enabled: true, canToggleState: true, object: 'policy' });
    const never = await call(owner.token, 'GET', `/api/organizations/${org.id}/policies/10`);
    expect(never.body).toMatchObject({ type: 10, enabled: false, data: {} });
    const list = await call(owner.token, 'GET', `/api/organizations/${org.id}/policies`);
    expect(list.body).toMatchObject({ object: 'list', continuationToken: null });
    expect((list.body.data as Json[]).map((p) => p.type)).toEqual([1, 2, 7]);

    const sync = await call(bob.token, 'GET', '/api/sync');
    expect((sync.body.policies as Json[]).map((p) => [p.type, p.enabled])).toEqual([[1, true], [2, true], [7, true]]);
    expect(sync.body.policies[0]).toMatchObject({ object: 'policy', organizationId: org.id, data: { minLength: 14, enforceOnLogin: true } });
    const masterPassword = await call(bob.token, 'GET', `/api/organizations/${org.id}/policies/master-password`);
    expect(masterPassword.status).toBe(200);
    expect(masterPassword.body).toMatchObject({ object: 'policy', type: 1, enabled: true });

    expect((await putPolicy(bob, org, 1, false)).status).toBe(404);
    expect((await call(bob.token, 'GET', `/api/organizations/${org.id}/policies`)).status).toBe(404);
    expect((await call(bob.token, 'GET', `/api/organizations/${org.id}/policies/1`)).status).toBe(404);

    const unknown = await putPolicy(owner, org, 99, true);
    expect(unknown.status).toBe(400);
    const badData = await putPolicy(owner, org, 1, true, { minLength: 6 });
    expect(badData.status).toBe(400);
    expect(badData.body.message).toBe('Invalid data for MasterPassword policy: The field MinLength must be between 12 and 128.');
    const dependency = await putPolicy(owner, org, 9, true, { minutes: 15, action: 'lock' });
    expect(dependency.status).toBe(400);
    expect(dependency.body.message).toBe('Turn on the Single organization policy because it is required for the Vault timeout policy.');
  }, 60_000);

  it('policies by invitation token answer without an access token: the enabled policies for the invitation\'s token, else 404', async () => {
    const org = await createOrganization(owner, 'Invitations');
    expect((await putPolicy(owner, org, 1, true, { minLength: 16 })).status).toBe(200);
    expect((await putPolicy(owner, org, 2, false, { minLength: 16 })).status).toBe(200);
    const invited = await call(owner.token, 'POST', `/api/organizations/${org.id}/users/invite`, { emails: [`later-${randomUUID()}@example.com`], type: 2 });
    expect(invited.status).toBe(200);
    const member = ((await call(owner.token, 'GET', `/api/organizations/${org.id}/users`)).body.data as Json[]).find((m) => m.status === 0);
    const path = (token: string, orgId = org.id): string =>
      `/api/organizations/${orgId}/policies/token?email=${encodeURIComponent(member.email)}&token=${encodeURIComponent(token)}&organizationUserId=${member.id}`;
    // The token the invite link carries (mail is off in this test app: issued as the mail would be).
    const { token } = t.app.get(InviteTokenService).issue(org.id, member.id, member.email);
    const res = await call(null, 'GET', path(token));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ object: 'list', data: [{ object: 'policy', type: 1, enabled: true, data: { minLength: 16 } }] });
    expect(res.body.data).toHaveLength(1);
    expect((await call(null, 'GET', path('not-a-token'))).status).toBe(404);
    expect((await call(null, 'GET', path(token, (await createOrganization(owner, 'Another')).id))).status).toBe(404);
    expect((await call(null, 'GET', `/api/organizations/${org.id}/policies/token?token=x`)).status).toBe(400);
  });

  it('Single organization: members of another organization cannot be confirmed, its members cannot create one; account recovery enrollment', async () => {
    const org = await createOrganization(owner, 'Single');
    const otherOwner = await person('policy-other-owner');
    const other = await createOrganization(otherOwner, 'Elsewhere');
    const carol = await person('policy-carol');
    await join(other, otherOwner, carol);
    const dave = await person('policy-dave');
    await join(org, owner, dave);

    expect((await putPolicy(owner, org, 3, true)).status).toBe(200);
    // The automatic accept (no mail) meets the policy as the official accept does: carol's invitation waits (0).
    const { id: carolMember, confirmed } = await join(org, owner, carol);
    expect(confirmed!.status).toBe(400);
    expect(((await call(owner.token, 'GET', `/api/organizations/${org.id}/users`)).body.data as Json[]).find((m) => m.id === carolMember)).toMatchObject({ status: 0 });
    const { token: carolToken } = t.app.get(InviteTokenService).issue(org.id, carolMember, carol.account.email);
    const refusedAccept = await call(carol.token, 'POST', `/api/organizations/${org.id}/users/${carolMember}/accept`, { token: carolToken });
    expect(refusedAccept.status).toBe(400);
    expect(refusedAccept.body.message).toBe('You cannot accept this invite until you leave all other organization vaults.');
    expect((await call(carol.token, 'GET', '/api/sync')).body.profile.organizations.map((o: Json) => o.id)).toEqual([other.id]);

    const created = await call(dave.token, 'POST', '/api/organizations', { name: 'Mine', billingEmail: dave.account.email, key: encryptType4(randomBytes(64), dave.account.publicKey) });
    expect(created.status).toBe(400);
    expect(created.body.message).toBe('You cannot create a new organization vault because your current membership doesn\'t allow you to join or create additional organization vaults.');

    // Leaving the other organization lets carol in.
    expect((await call(carol.token, 'POST', `/api/organizations/${other.id}/leave`)).status).toBe(200);
    expect((await call(carol.token, 'POST', `/api/organizations/${org.id}/users/${carolMember}/accept`, { token: carolToken })).status).toBe(200);
    expect((await call(owner.token, 'POST', `/api/organizations/${org.id}/users/${carolMember}/confirm`, { key: encryptType4(org.key, carol.account.publicKey) })).status).toBe(200);

    // Account recovery: the policy requires Single organization, then dave enrolls with his master password.
    expect((await putPolicy(owner, org, 8, true, { autoEnrollEnabled: false })).status).toBe(200);
    const enrollment = { resetPasswordKey: encryptType4(dave.account.secrets.userKey, org.publicKey), masterPasswordHash: dave.account.masterPasswordHash };
    const wrong = await call(dave.token, 'PUT', `/api/organizations/${org.id}/users/${dave.userId}/reset-password-enrollment`, { ...enrollment, masterPasswordHash: 'bm9wZQ==' });
    expect(wrong.status).toBe(400);
    const enrolled = await call(dave.token, 'PUT', `/api/organizations/${org.id}/users/${dave.userId}/reset-password-enrollment`, enrollment);
    expect(enrolled.status).toBe(200);
    expect((await call(dave.token, 'GET', '/api/sync')).body.profile.organizations[0]).toMatchObject({ id: org.id, resetPasswordEnrolled: true });
    const details = await call(owner.token, 'GET', `/api/organizations/${org.id}/users/${await memberId(org, owner, dave.account.email)}/reset-password-details`);
    expect(details.body).toMatchObject({ object: 'organizationUserResetPasswordDetails', kdf: 0, kdfIterations: 5_000, resetPasswordKey: enrollment.resetPasswordKey, masterPasswordSalt: dave.account.email });
    expect((await putPolicy(owner, org, 3, false)).body.message).toBe('Turn off the Account recovery administration policy because it requires the Single organization policy.');
  }, 60_000);

  it('Require two-step login: turning it on revokes members without it (their hub gets 6); nobody without it can be confirmed', async () => {
    const org = await createOrganization(owner, 'Two-step');
    const erin = await person('policy-erin');
    const admin = await person('policy-admin');
    await join(org, owner, erin);
    await join(org, owner, admin, 1);
    const hub = await connectHub(t, erin.account);
    try {
      hub.clear();
      expect((await putPolicy(owner, org, 0, true)).status).toBe(200);
      const notification = await hub.waitFor((n) => n.Type === 6);
      expect(notification.Payload.UserId).toBe(erin.userId);
      const members = (await call(owner.token, 'GET', `/api/organizations/${org.id}/users`)).body.data as Json[];
      expect(members.find((m) => m.email === erin.account.email).status).toBe(-1);
      expect(members.find((m) => m.email === admin.account.email).status).toBe(2);
      expect((await call(erin.token, 'GET', '/api/sync')).body.profile.organizations).toEqual([]);

      const restored = await call(owner.token, 'PUT', `/api/organizations/${org.id}/users/${await memberId(org, owner, erin.account.email)}/restore`);
      expect(restored.status).toBe(400);
      expect(restored.body.message).toBe(`${erin.account.email} is not compliant with the two-step login policy.`);

      // frank has no two-step login: the automatic accept is refused, his invitation waits and cannot be confirmed.
      const frank = await person('policy-frank');
      const { id: frankMember, confirmed } = await join(org, owner, frank);
      expect(confirmed!.status).toBe(400);
      const listed = (await call(owner.token, 'GET', `/api/organizations/${org.id}/users`)).body.data as Json[];
      expect(listed.find((m) => m.id === frankMember)).toMatchObject({ status: 0, twoFactorEnabled: false });
      expect(listed.find((m) => m.email === admin.account.email)).toMatchObject({ twoFactorEnabled: false });
    } finally {
      await hub.stop();
    }
  }, 60_000);

  it('master password requirements: the login and verify-password answer the combined policy of the member\'s organizations', async () => {
    // An owner of no other organization (the shared owner's earlier organizations have policies of their own).
    const pwOwner = await person('policy-pw-owner');
    const org = await createOrganization(pwOwner, 'Passwords');
    const ivy = await person('policy-ivy');
    await join(org, pwOwner, ivy);
    const login = async (): Promise<Json> => (await passwordLogin(t.baseUrl, ivy.account, { ...WEB_VAULT, identifier: randomUUID() })) as Json;
    expect((await login()).MasterPasswordPolicy).toEqual({ Object: 'masterPasswordPolicy' });

    expect((await putPolicy(pwOwner, org, 1, true, { minComplexity: 3, minLength: 14, requireUpper: true, enforceOnLogin: true })).status).toBe(200);
    expect((await login()).MasterPasswordPolicy).toEqual({
      MinComplexity: 3, MinLength: 14, RequireLower: false, RequireUpper: true, RequireNumbers: false, RequireSpecial: false, EnforceOnLogin: true, Object: 'masterPasswordPolicy',
    });
    const verified = await call(ivy.token, 'POST', '/api/accounts/verify-password', { masterPasswordHash: ivy.account.masterPasswordHash });
    expect(verified.status).toBe(200);
    expect(verified.body).toEqual({
      minComplexity: 3, minLength: 14, requireLower: false, requireUpper: true, requireNumbers: false, requireSpecial: false, enforceOnLogin: true, object: 'masterPasswordPolicy',
    });
    // The owner is bound too (no role is exempt); turned off, nobody is.
    expect((await call(pwOwner.token, 'POST', '/api/accounts/verify-password', { masterPasswordHash: pwOwner.account.masterPasswordHash })).body).toMatchObject({ minLength: 14 });
    expect((await putPolicy(pwOwner, org, 1, false, { minLength: 14 })).status).toBe(200);
    expect((await login()).MasterPasswordPolicy).toEqual({ Object: 'masterPasswordPolicy' });
  }, 60_000);

  it('remove individual vault: the official CLI cannot create a personal item for a member, but creates an organization item', async () => {
    const org = await createOrganization(owner, 'Company items');
    const gina = await person('policy-gina');
    await join(org, owner, gina);
    expect((await putPolicy(owner, org, 5, true)).status).toBe(200);

    const cli = await loginCli(t, gina.account);
    const login = { type: 1, notes: null, favorite: false, fields: [], reprompt: 0, login: { username: 'gina', password: 'hunter2', totp: null, uris: [] } };
    const personal = await cli.run(['create', 'item', BwProfile.encode({ ...login, name: 'Mine', organizationId: null })]);
    expect(personal.code).not.toBe(0);
    expect(`${personal.stdout}\n${personal.stderr}`).toContain('Due to an Enterprise Policy, you are restricted from saving items to your personal vault.');
    const shared = await cli.json<{ id: string; organizationId: string }>(['create', 'item', BwProfile.encode({ ...login, name: 'Company', organizationId: org.id, collectionIds: [org.collectionId] })]);
    expect(shared.organizationId).toBe(org.id);

    const imported = await call(gina.token, 'POST', '/api/ciphers/import', { folders: [], folderRelationships: [], ciphers: [{ type: 2, name: encryptType2('n', randomBytes(64)), secureNote: { type: 0 } }] });
    expect(imported.status).toBe(400);
    expect(imported.body.message).toBe('You cannot import items into your personal vault because you are a member of an organization which forbids it.');
    // The owner is exempt.
    const ownerItem = await call(owner.token, 'POST', '/api/ciphers', { type: 2, name: encryptType2('n', randomBytes(64)), secureNote: { type: 0 } });
    expect(ownerItem.status).toBe(200);
  }, 120_000);
});

// Two first saves of one policy type at once: on PostgreSQL and MySQL/MariaDB (SQLite serialises every transaction)
// both see no row and insert; the unique index on organization and type used to answer the second one 500.
for (const [variable, label, createDatabase] of [
  ['TEST_POSTGRES_URL', 'PostgreSQL', createPostgresDatabase],
  ['TEST_MYSQL_URL', 'MySQL/MariaDB', createMysqlDatabase],
] as const) {
  describeWithServices([variable], `concurrent first saves of a policy on ${label}`, () => {
    let t: TestApp;
    let drop: (() => Promise<void>) | undefined;
    afterAll(async () => {
      await t?.close();
      await drop?.();
    });

    it('every PUT answers 200 and one row per type is stored', async () => {
      const db = await createDatabase();
      drop = db.drop;
      t = await createTestApp({ DATABASE_URL: db.url });
      const owner = await newPerson(t, 'race-owner');
      const org = await createOrg(t, owner, 'Race');
      for (const type of [2, 6, 10]) {
        const saves = await Promise.all(Array.from({ length: 6 }, (_unused, i) =>
          callApi(t, owner.token, 'PUT', `/api/organizations/${org.id}/policies/${type}`, { policy: { type, enabled: i % 2 === 0, data: null }, metadata: {} })));
        expect(saves.map((r) => [r.status, r.status === 200 ? null : r.body])).toEqual(saves.map(() => [200, null]));
      }
      const listed = await callApi(t, owner.token, 'GET', `/api/organizations/${org.id}/policies`);
      expect((listed.body.data as Json[]).map((p) => p.type).sort()).toEqual([10, 2, 6]);
    }, 120_000);
  });
}
