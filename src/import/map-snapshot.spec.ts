import { mapSnapshot } from './map-snapshot';
import { VaultwardenSnapshot, VW_TABLES, VwTable } from './vaultwarden-reader';
import { VwRow } from './vaultwarden-values';

const NOW = new Date('2026-12-08T03:00:00Z');
const T = '2026-12-08 02:00:00';

function snapshot(tables: Partial<Record<VwTable, VwRow[]>>): VaultwardenSnapshot {
  return { versions: ['20260505120000'], tables: Object.fromEntries(VW_TABLES.map((t) => [t, tables[t] ?? []])) as Record<VwTable, VwRow[]> };
}

const user = (uuid: string, email: string, registered = true): VwRow => ({
  uuid, created_at: T, updated_at: T, email, name: email, password_hash: registered ? Buffer.alloc(32, 1) : Buffer.alloc(0), salt: Buffer.alloc(64, 2),
  password_iterations: 600000, password_hint: null, akey: registered ? '2.k' : '', private_key: null, public_key: null, totp_secret: null, totp_recover: null,
  security_stamp: `stamp-${uuid}`, equivalent_domains: '[]', excluded_globals: '[]', client_kdf_type: 0, client_kdf_iter: 600000, verified_at: null,
  last_verifying_at: null, login_verify_count: 0, email_new: null, email_new_token: null, enabled: 1, stamp_exception: null, api_key: 'k', avatar_color: null,
  client_kdf_memory: null, client_kdf_parallelism: null, external_id: null,
});
const cipher = (uuid: string, owner: string | null, org: string | null): VwRow => ({
  uuid, created_at: T, updated_at: T, user_uuid: owner, organization_uuid: org, atype: 2, name: '2.n', notes: null, fields: null, data: '{"type":0}',
  password_history: null, deleted_at: null, reprompt: 0, key: null,
});
const membership = (uuid: string, userUuid: string, atype: number, accessAll: number, status = 2): VwRow => ({
  uuid, user_uuid: userUuid, org_uuid: 'o1', access_all: accessAll, akey: status === 2 ? '4.k' : '', status, atype, reset_password_key: null, external_id: null, invited_by_email: null,
});

describe('mapSnapshot', () => {
  const result = mapSnapshot(snapshot({
    users: [user('u1', 'a@example.com'), user('u2', 'b@example.com'), user('u3', 'invited@example.com', false)],
    invitations: [{ email: 'invited@example.com' }, { email: 'a@example.com' }],
    organizations: [{ uuid: 'o1', name: 'Org', billing_email: 'a@example.com', private_key: null, public_key: null }],
    users_organizations: [membership('m1', 'u1', 0, 0), membership('m2', 'u2', 2, 1), membership('m3', 'u3', 2, 0, 0)],
    collections: [{ uuid: 'c1', org_uuid: 'o1', name: '2.c1', external_id: null }, { uuid: 'c2', org_uuid: 'o1', name: '2.c2', external_id: null }],
    users_collections: [{ user_uuid: 'u2', collection_uuid: 'c1', read_only: 1, hide_passwords: 0, manage: 0 }],
    ciphers: [cipher('x1', 'u1', null), cipher('x2', null, 'o1'), cipher('x3', 'u3', null), cipher('x4', 'gone', null)],
    folders_ciphers: [{ cipher_uuid: 'x1', folder_uuid: 'missing-folder' }],
    archives: [{ user_uuid: 'u1', cipher_uuid: 'x1', archived_at: T }, { user_uuid: 'u2', cipher_uuid: 'x2', archived_at: T }],
    attachments: [{ id: 'aa', cipher_uuid: 'x1', file_name: '2.f', file_size: 10, akey: '2.k' }, { id: 'bb', cipher_uuid: 'x1', file_name: '2.f', file_size: 10, akey: null }],
    event: [{ uuid: 'e1' }, { uuid: 'e2' }],
    sso_users: [{ user_uuid: 'u1', identifier: 'x' }],
  }), NOW, { attachments: '/vw/attachments', sends: '/vw/sends' }, (path) => (path.endsWith('aa') ? 10 : null));

  it('imports registered accounts; a never-registered one becomes an invitation and an email-only membership', () => {
    expect(result.data.users.map((u) => u.id)).toEqual(['u1', 'u2']);
    expect(result.data.user_invitations.map((i) => i.email)).toEqual(['invited@example.com']);
    expect(result.data.memberships.find((m) => m.id === 'm3')).toMatchObject({ userId: null, email: 'invited@example.com', status: 0 });
  });

  it('gives owners and access-all members explicit access to every collection', () => {
    const access = result.data.collection_members.map((r) => `${r.membershipId}:${r.collectionId}:${r.readOnly}:${r.manage}`).sort();
    expect(access).toEqual(['m1:c1:false:true', 'm1:c2:false:true', 'm2:c1:false:false', 'm2:c2:false:false']);
  });

  it('drops rows whose parent was not imported, and files that are missing, counting them', () => {
    expect(result.data.ciphers.map((c) => c.id)).toEqual(['x1', 'x2']);
    expect(result.data.ciphers.find((c) => c.id === 'x1')?.archivedDate).not.toBeNull();
    expect(result.data.cipher_archives.map((a) => `${a.userId}:${a.cipherId}`)).toEqual(['u2:x2']);
    expect(result.data.attachments.map((a) => a.id)).toEqual(['aa']);
    expect(result.files).toEqual([{ kind: 'attachments', source: '/vw/attachments/x1/aa', relative: 'x1/aa', size: 10 }]);
    const skipped = Object.fromEntries(result.notes.unmapped.map((n) => [n.what, n.count]));
    expect(skipped).toMatchObject({ ciphers: 2, folders_ciphers: 1, 'attachments (file missing)': 1, event: 2, sso_users: 1 });
  });
});
