import { join } from 'node:path';
import { CollectionGroupEntity, CollectionMemberEntity, UserEntity } from '../db/entities';
import { MembershipType } from '../db/entities/membership.entity';
import { ImportNotes } from './import-notes';
import { isPendingAuthRequest, mapAuthRequest } from './map-auth-requests';
import { mapDevice } from './map-devices';
import { mapEmergencyAccess } from './map-emergency-access';
import {
  expandAccessAll, mapCollection, mapCollectionCipher, mapCollectionGroup, mapCollectionMember, mapGroup, mapGroupMember, mapMembership,
  mapOrganization, mapPolicy, MemberUser,
} from './map-organizations';
import { mapSend } from './map-sends';
import { mapTwoFactor, mapTwoFactorIncomplete } from './map-two-factor';
import { isPlaceholderUser, mapInvitation, mapUser } from './map-users';
import { mapAttachment, mapCipher, mapCipherArchive, mapFavorite, mapFolder, mapFolderCipher } from './map-vault';
import { emptyMappedData, FileToCopy, MappedData } from './mapped-data';
import { VaultwardenSnapshot } from './vaultwarden-reader';
import { bool, optStr, str, VwRow } from './vaultwarden-values';

export interface SourceFolders { attachments: string; sends: string }

export interface MappingResult { data: MappedData; files: FileToCopy[]; notes: ImportNotes }

/** Tables with no counterpart in Vaultwave: reported with their row counts. */
const UNMAPPED_TABLES: Record<string, string> = {
  sso_users: 'SSO identity links: Vaultwave has no SSO; these users log in with their master password',
  sso_auth: 'SSO logins in flight',
  twofactor_duo_ctx: 'Duo logins in flight',
  organization_api_key: 'organization API keys (directory connector): no counterpart',
  event: 'event log entries: no counterpart',
};

const key2 = (a: string, b: string): string => `${a}\u0000${b}`;

/**
 * Maps a whole Vaultwarden snapshot to Vaultwave rows (pure but for `fileSize`, which says whether a file of the
 * source exists and how big it is). Rows whose parent did not map (a cipher of a skipped account, a link to a
 * missing folder) are dropped and counted.
 */
export function mapSnapshot(snapshot: VaultwardenSnapshot, now: Date, folders: SourceFolders, fileSize: (path: string) => number | null): MappingResult {
  const t = snapshot.tables;
  const notes = new ImportNotes();
  const data = emptyMappedData();
  const files: FileToCopy[] = [];
  const dropped = (what: string, count = 1): void => notes.skip(what, 'refers to a row that was not imported', count);

  // Accounts. Placeholder accounts (invited, never registered) become invitations.
  const users = new Map<string, UserEntity>();
  const memberUsers = new Map<string, MemberUser>();
  const invited = new Set<string>(t.invitations.map((r) => str(r, 'email').toLowerCase()));
  for (const row of t.users) {
    const email = str(row, 'email').toLowerCase();
    if (isPlaceholderUser(row)) {
      memberUsers.set(str(row, 'uuid'), { id: str(row, 'uuid'), email, placeholder: true });
      notes.adjust('users (invited, never registered)', 'no account: kept as an invitation (server and organization)');
      continue;
    }
    const user = mapUser(row, notes);
    users.set(user.id, user);
    memberUsers.set(user.id, { id: user.id, email: user.email, placeholder: false });
  }
  const registered = new Set([...users.values()].map((u) => u.email));
  for (const email of invited) if (!registered.has(email)) data.user_invitations.push(mapInvitation(email, now));
  data.users = [...users.values()];
  const userByEmail = new Map([...users.values()].map((u) => [u.email, u.id]));

  // Devices: an identifier used by several accounts gets derived ids.
  const identifierUse = new Map<string, number>();
  for (const row of t.devices) identifierUse.set(str(row, 'uuid'), (identifierUse.get(str(row, 'uuid')) ?? 0) + 1);
  for (const row of t.devices) {
    const user = users.get(str(row, 'user_uuid'));
    if (!user) { dropped('devices'); continue; }
    const { device, remember } = mapDevice(row, user, (identifierUse.get(str(row, 'uuid')) ?? 0) > 1, notes);
    data.devices.push(device);
    if (remember) data.two_factor_remember.push(remember);
  }

  for (const row of t.twofactor) {
    if (!users.has(str(row, 'user_uuid'))) { dropped('twofactor'); continue; }
    const mapped = mapTwoFactor(row, now, notes);
    if (mapped) data.two_factor.push(mapped);
  }
  for (const row of t.twofactor_incomplete) {
    if (users.has(str(row, 'user_uuid'))) data.two_factor_incomplete.push(mapTwoFactorIncomplete(row));
    else dropped('twofactor_incomplete');
  }

  // Folders.
  const folderIds = new Set<string>();
  for (const row of t.folders) {
    if (!users.has(str(row, 'user_uuid'))) { dropped('folders'); continue; }
    const folder = mapFolder(row);
    data.folders.push(folder);
    folderIds.add(folder.id);
  }

  // Organizations, memberships, collections, groups, policies.
  const orgIds = new Set<string>();
  for (const row of t.organizations) {
    const org = mapOrganization(row, now);
    data.organizations.push(org);
    orgIds.add(org.id);
  }
  const membershipByUserOrg = new Map<string, string>();
  const accessAllMembers: Array<{ membershipId: string; orgId: string; manage: boolean }> = [];
  const membershipIds = new Set<string>();
  for (const row of t.users_organizations) {
    const user = memberUsers.get(str(row, 'user_uuid'));
    const orgId = str(row, 'org_uuid');
    if (!user || !orgIds.has(orgId)) { dropped('users_organizations'); continue; }
    const invitedByEmail = optStr(row, 'invited_by_email')?.toLowerCase();
    const membership = mapMembership(row, user, invitedByEmail ? userByEmail.get(invitedByEmail) ?? null : null, now, notes);
    data.memberships.push(membership);
    membershipIds.add(membership.id);
    membershipByUserOrg.set(key2(user.id, orgId), membership.id);
    // Vaultwarden gives owners and admins, and members with access_all, every collection; Vaultwave reads access
    // from explicit rows, so they get one per collection (owners, admins and former managers may manage them).
    const admin = membership.type === MembershipType.Owner || membership.type === MembershipType.Admin;
    if (admin || bool(row, 'access_all')) accessAllMembers.push({ membershipId: membership.id, orgId, manage: admin || membership.type === MembershipType.Custom });
  }
  const collectionsOfOrg = new Map<string, string[]>();
  const collectionOrg = new Map<string, string>();
  for (const row of t.collections) {
    if (!orgIds.has(str(row, 'org_uuid'))) { dropped('collections'); continue; }
    const collection = mapCollection(row, now);
    data.collections.push(collection);
    collectionOrg.set(collection.id, collection.organizationId);
    collectionsOfOrg.set(collection.organizationId, [...(collectionsOfOrg.get(collection.organizationId) ?? []), collection.id]);
  }
  const directMember = new Map<string, CollectionMemberEntity[]>();
  for (const row of t.users_collections) {
    const collectionId = str(row, 'collection_uuid');
    const orgId = collectionOrg.get(collectionId);
    const membershipId = orgId ? membershipByUserOrg.get(key2(str(row, 'user_uuid'), orgId)) : undefined;
    if (!membershipId) { dropped('users_collections'); continue; }
    directMember.set(membershipId, [...(directMember.get(membershipId) ?? []), mapCollectionMember(collectionId, membershipId, row)]);
  }
  for (const { membershipId, orgId, manage } of accessAllMembers) {
    const direct = directMember.get(membershipId) ?? [];
    directMember.set(membershipId, expandAccessAll(direct, collectionsOfOrg.get(orgId) ?? [], (c) => mapCollectionMember(c, membershipId, null), manage));
    notes.adjust('users_organizations (full access)', 'owner, admin or member with access to all collections: given explicit access to each collection');
  }
  data.collection_members = [...directMember.values()].flat();

  const groupIds = new Set<string>();
  const accessAllGroups: Array<{ groupId: string; orgId: string }> = [];
  for (const row of t.groups) {
    if (!orgIds.has(str(row, 'organizations_uuid'))) { dropped('groups'); continue; }
    const group = mapGroup(row, notes);
    data.org_groups.push(group);
    groupIds.add(group.id);
    if (bool(row, 'access_all')) accessAllGroups.push({ groupId: group.id, orgId: group.organizationId });
  }
  for (const row of t.groups_users) {
    if (groupIds.has(str(row, 'groups_uuid')) && membershipIds.has(str(row, 'users_organizations_uuid'))) data.group_members.push(mapGroupMember(row));
    else dropped('groups_users');
  }
  const directGroup = new Map<string, CollectionGroupEntity[]>();
  for (const row of t.collections_groups) {
    const groupId = str(row, 'groups_uuid');
    const collectionId = str(row, 'collections_uuid');
    if (!groupIds.has(groupId) || !collectionOrg.has(collectionId)) { dropped('collections_groups'); continue; }
    directGroup.set(groupId, [...(directGroup.get(groupId) ?? []), mapCollectionGroup(collectionId, groupId, row)]);
  }
  for (const { groupId, orgId } of accessAllGroups) {
    directGroup.set(groupId, expandAccessAll(directGroup.get(groupId) ?? [], collectionsOfOrg.get(orgId) ?? [], (c) => mapCollectionGroup(c, groupId, null), false));
    notes.adjust('groups.access_all', 'group with access to all collections: given explicit access to each collection');
  }
  data.collection_groups = [...directGroup.values()].flat();
  for (const row of t.org_policies) {
    if (orgIds.has(str(row, 'org_uuid'))) data.policies.push(mapPolicy(row, now));
    else dropped('org_policies');
  }

  // Ciphers and what hangs on them.
  const personalArchive = new Map<string, VwRow>();
  for (const row of t.archives) personalArchive.set(key2(str(row, 'user_uuid'), str(row, 'cipher_uuid')), row);
  const cipherIds = new Map<string, Date>();
  const cipherOwner = new Map<string, string | null>();
  for (const row of t.ciphers) {
    const userId = optStr(row, 'user_uuid');
    const orgId = optStr(row, 'organization_uuid');
    if (orgId ? !orgIds.has(orgId) : !userId || !users.has(userId)) { dropped('ciphers'); continue; }
    const archive = userId && !orgId ? personalArchive.get(key2(userId, str(row, 'uuid'))) : undefined;
    const cipher = mapCipher(row, archive ? mapCipherArchive(archive).archivedDate : null);
    data.ciphers.push(cipher);
    cipherIds.set(cipher.id, cipher.creationDate);
    cipherOwner.set(cipher.id, cipher.userId);
  }
  for (const row of t.archives) {
    const cipherId = str(row, 'cipher_uuid');
    if (!cipherIds.has(cipherId) || !users.has(str(row, 'user_uuid'))) { dropped('archives'); continue; }
    if (cipherOwner.get(cipherId) === null) data.cipher_archives.push(mapCipherArchive(row));
  }
  for (const row of t.folders_ciphers) {
    if (cipherIds.has(str(row, 'cipher_uuid')) && folderIds.has(str(row, 'folder_uuid'))) data.folder_ciphers.push(mapFolderCipher(row));
    else dropped('folders_ciphers');
  }
  for (const row of t.favorites) {
    if (cipherIds.has(str(row, 'cipher_uuid')) && users.has(str(row, 'user_uuid'))) data.favorites.push(mapFavorite(row));
    else dropped('favorites');
  }
  for (const row of t.ciphers_collections) {
    if (cipherIds.has(str(row, 'cipher_uuid')) && collectionOrg.has(str(row, 'collection_uuid'))) data.collection_ciphers.push(mapCollectionCipher(row));
    else dropped('ciphers_collections');
  }
  for (const row of t.attachments) {
    const cipherCreated = cipherIds.get(str(row, 'cipher_uuid'));
    if (!cipherCreated) { dropped('attachments'); continue; }
    const attachment = mapAttachment(row, cipherCreated);
    const relative = join(attachment.cipherId, attachment.id);
    const source = join(folders.attachments, relative);
    const size = fileSize(source);
    if (size === null) { notes.skip('attachments (file missing)', 'row without its file in the Vaultwarden folder (an upload that never finished)'); continue; }
    data.attachments.push(attachment);
    files.push({ kind: 'attachments', source, relative, size });
  }

  for (const row of t.sends) {
    const userId = optStr(row, 'user_uuid');
    if (!userId) { notes.skip('sends (organization)', 'Sends owned by an organization: no counterpart'); continue; }
    if (!users.has(userId)) { dropped('sends'); continue; }
    const send = mapSend(row);
    if (send.fileId) {
      const relative = join(send.id, send.fileId);
      const source = join(folders.sends, relative);
      const size = fileSize(source);
      if (size === null) { notes.skip('sends (file missing)', 'file Send without its file in the Vaultwarden folder'); continue; }
      files.push({ kind: 'sends', source, relative, size });
    }
    data.sends.push(send);
  }

  for (const row of t.emergency_access) {
    const grantor = optStr(row, 'grantor_uuid');
    const grantee = optStr(row, 'grantee_uuid');
    if (!grantor || !users.has(grantor) || (grantee && !users.has(grantee))) { dropped('emergency_access'); continue; }
    data.emergency_access.push(mapEmergencyAccess(row));
  }
  for (const row of t.auth_requests) {
    if (!isPendingAuthRequest(row)) { notes.skip('auth_requests (answered)', 'already approved or denied: nothing left to do'); continue; }
    if (!users.has(str(row, 'user_uuid'))) { dropped('auth_requests'); continue; }
    data.auth_requests.push(mapAuthRequest(row));
  }

  for (const [table, why] of Object.entries(UNMAPPED_TABLES)) notes.skip(table, why, t[table as keyof typeof t].length);
  return { data, files, notes };
}
