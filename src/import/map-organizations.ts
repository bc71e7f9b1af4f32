import {
  CollectionCipherEntity, CollectionEntity, CollectionGroupEntity, CollectionMemberEntity, GroupEntity, GroupMemberEntity, MembershipEntity,
  OrganizationEntity, PolicyEntity,
} from '../db/entities';
import { MembershipStatus, MembershipType } from '../db/entities/membership.entity';
import { ImportNotes } from './import-notes';
import { bool, date, int, optStr, str, VwRow } from './vaultwarden-values';

/** Vaultwarden stores a revoked membership as its former status minus this (so it can restore it). */
const REVOKE_OFFSET = 128;
const VW_MANAGER = 3;

/** Organizations (Vaultwarden `organizations`: no dates, so the import time). */
export function mapOrganization(row: VwRow, now: Date): OrganizationEntity {
  return Object.assign(new OrganizationEntity(), {
    id: str(row, 'uuid'), name: str(row, 'name').slice(0, 255), billingEmail: str(row, 'billing_email').slice(0, 256),
    publicKey: optStr(row, 'public_key'), privateKey: optStr(row, 'private_key'), enabled: true,
    limitCollectionCreation: false, limitCollectionDeletion: false, limitItemDeletion: false, allowAdminAccessToAllCollectionItems: true,
    creationDate: now, revisionDate: now,
  });
}

/**
 * Vaultwarden's Manager role (3) does not exist in today's clients: Vaultwarden shows it as Custom with the
 * collection permissions of a manager; so does Vaultwave's row (type Custom and those permissions).
 */
export function managerPermissions(accessAll: boolean): string {
  return JSON.stringify({
    accessEventLogs: false, accessImportExport: false, accessReports: false, createNewCollections: accessAll, editAnyCollection: accessAll,
    deleteAnyCollection: accessAll, manageGroups: false, managePolicies: false, manageSso: false, manageUsers: false, manageResetPassword: false,
    manageScim: false,
  });
}

export interface MemberUser { id: string; email: string; placeholder: boolean }

/**
 * Memberships (Vaultwarden `users_organizations`): status (revoked kept as revoked), role, organization key,
 * reset-password key, external id. Invited rows (and rows of accounts never registered) become email-only
 * invitations, as Vaultwave keeps them. `invitedBy` resolves Vaultwarden's invited_by_email.
 */
export function mapMembership(row: VwRow, user: MemberUser, invitedBy: string | null, now: Date, notes: ImportNotes): MembershipEntity {
  const stored = int(row, 'status');
  const revoked = stored < MembershipStatus.Revoked;
  const former = revoked ? stored + REVOKE_OFFSET : stored;
  const invited = former === MembershipStatus.Invited || user.placeholder;
  const vwType = int(row, 'atype');
  const type = vwType === VW_MANAGER ? MembershipType.Custom : vwType;
  if (vwType === VW_MANAGER) notes.adjust('users_organizations.atype Manager', 'Manager role became Custom with manager collection permissions');
  const key = optStr(row, 'akey');
  return Object.assign(new MembershipEntity(), {
    id: str(row, 'uuid'),
    organizationId: str(row, 'org_uuid'),
    userId: invited ? null : user.id,
    email: invited ? user.email : null,
    orgKey: key ? key : null,
    resetPasswordKey: optStr(row, 'reset_password_key'),
    status: revoked ? MembershipStatus.Revoked : (invited ? MembershipStatus.Invited : former),
    type,
    permissions: vwType === VW_MANAGER ? managerPermissions(bool(row, 'access_all')) : null,
    externalId: optStr(row, 'external_id'),
    invitedByUserId: invitedBy,
    creationDate: now,
    revisionDate: now,
  });
}

/** Collections (Vaultwarden `collections`: no dates, so the import time). */
export function mapCollection(row: VwRow, now: Date): CollectionEntity {
  return Object.assign(new CollectionEntity(), {
    id: str(row, 'uuid'), organizationId: str(row, 'org_uuid'), name: str(row, 'name'), externalId: optStr(row, 'external_id'), creationDate: now, revisionDate: now,
  });
}

export function mapCollectionMember(collectionId: string, membershipId: string, row: VwRow | null): CollectionMemberEntity {
  return Object.assign(new CollectionMemberEntity(), {
    collectionId, membershipId,
    readOnly: row ? bool(row, 'read_only') : false, hidePasswords: row ? bool(row, 'hide_passwords') : false, manage: row ? bool(row, 'manage') : false,
  });
}

/**
 * "Access all collections" (users_organizations.access_all, groups.access_all) has no flag in Vaultwave: a member
 * or group with it gets an explicit, full access row on every collection of the organization. `direct` are the
 * explicit rows; the result adds the missing ones (and makes the explicit ones full access).
 */
export function expandAccessAll<T extends { collectionId: string; readOnly: boolean; hidePasswords: boolean; manage: boolean }>(
  direct: T[], allCollections: string[], make: (collectionId: string) => T, manage: boolean,
): T[] {
  const byCollection = new Map(direct.map((row) => [row.collectionId, row]));
  return allCollections.map((collectionId) => {
    const row = byCollection.get(collectionId) ?? make(collectionId);
    return Object.assign(row, { readOnly: false, hidePasswords: false, manage: row.manage || manage });
  });
}

export function mapCollectionCipher(row: VwRow): CollectionCipherEntity {
  return Object.assign(new CollectionCipherEntity(), { collectionId: str(row, 'collection_uuid'), cipherId: str(row, 'cipher_uuid') });
}

/** Groups (Vaultwarden `groups`). */
export function mapGroup(row: VwRow, notes: ImportNotes): GroupEntity {
  const name = str(row, 'name');
  if (name.length > 100) notes.adjust('groups.name', 'longer than 100 characters: shortened');
  return Object.assign(new GroupEntity(), {
    id: str(row, 'uuid'), organizationId: str(row, 'organizations_uuid'), name: name.slice(0, 100), externalId: optStr(row, 'external_id'),
    creationDate: date(row, 'creation_date'), revisionDate: date(row, 'revision_date'),
  });
}

export function mapGroupMember(row: VwRow): GroupMemberEntity {
  return Object.assign(new GroupMemberEntity(), { groupId: str(row, 'groups_uuid'), membershipId: str(row, 'users_organizations_uuid') });
}

export function mapCollectionGroup(collectionId: string, groupId: string, row: VwRow | null): CollectionGroupEntity {
  return Object.assign(new CollectionGroupEntity(), {
    collectionId, groupId,
    readOnly: row ? bool(row, 'read_only') : false, hidePasswords: row ? bool(row, 'hide_passwords') : false, manage: row ? bool(row, 'manage') : false,
  });
}

/** Policies (Vaultwarden `org_policies`: no dates, so the import time). */
export function mapPolicy(row: VwRow, now: Date): PolicyEntity {
  const data = optStr(row, 'data');
  return Object.assign(new PolicyEntity(), {
    id: str(row, 'uuid'), organizationId: str(row, 'org_uuid'), type: int(row, 'atype'), enabled: bool(row, 'enabled'),
    data: data && data !== 'null' ? data : null, creationDate: now, revisionDate: now,
  });
}
