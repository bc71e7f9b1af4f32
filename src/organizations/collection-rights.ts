import { CollectionGroupEntity, CollectionMemberEntity, MembershipEntity, OrganizationEntity } from '../db/entities';
import { MembershipType } from '../db/entities/membership.entity';
import { CollectionAccess, permissionsOf } from './dto/organization-response.mapper';

/** A confirmed member acting on their organization, with the groups they are in. */
export interface Caller { organization: OrganizationEntity; membership: MembershipEntity; groupIds: Set<string> }

/** Who may see one collection: its member rows and its group rows. */
export interface CollectionAccessRows { users: CollectionMemberEntity[]; groups: CollectionGroupEntity[] }

export const NO_ACCESS_ROWS: CollectionAccessRows = { users: [], groups: [] };

export const isAdmin = (m: MembershipEntity): boolean => m.type === MembershipType.Owner || m.type === MembershipType.Admin;

/**
 * What several group grants on one collection give a member (official collection details): read-only and
 * hidden passwords only when every grant says so, manage when any does.
 */
export function combineGroupGrants(grants: CollectionAccess[]): CollectionAccess {
  return { readOnly: grants.every((g) => g.readOnly), hidePasswords: grants.every((g) => g.hidePasswords), manage: grants.some((g) => g.manage) };
}

/**
 * A member's access to a collection (docs/organizations-plan.md §5.3): their direct assignment when there is one,
 * else what their groups' grants give together; null when neither.
 */
export function effectiveAccess(membershipId: string, groupIds: Set<string>, rows: CollectionAccessRows): CollectionAccess | null {
  const direct = rows.users.find((r) => r.membershipId === membershipId);
  if (direct) return { readOnly: direct.readOnly, hidePasswords: direct.hidePasswords, manage: direct.manage };
  const viaGroups = rows.groups.filter((g) => groupIds.has(g.groupId));
  return viaGroups.length === 0 ? null : combineGroupGrants(viaGroups);
}

/** Nobody, neither a member nor a group, manages the collection. */
export const unmanaged = (rows: CollectionAccessRows): boolean => !rows.users.some((r) => r.manage) && !rows.groups.some((r) => r.manage);

const callerManages = (caller: Caller, rows: CollectionAccessRows): boolean => effectiveAccess(caller.membership.id, caller.groupIds, rows)?.manage ?? false;

/** Read a collection: owners, admins, custom users who edit or delete any collection, and members assigned to it (directly or by group). */
export function mayReadCollection(caller: Caller, rows: CollectionAccessRows): boolean {
  const permissions = permissionsOf(caller.membership.permissions);
  return isAdmin(caller.membership) || permissions.editAnyCollection || permissions.deleteAnyCollection
    || effectiveAccess(caller.membership.id, caller.groupIds, rows) !== null;
}

/**
 * Edit a collection, or change which members and groups may see it (official ModifyUserAccess / ModifyGroupAccess):
 * custom users with editAnyCollection; owners and admins when the organization lets admins reach every collection
 * or nobody manages this one; otherwise members who manage it.
 */
export function mayEditCollection(caller: Caller, rows: CollectionAccessRows): boolean {
  if (permissionsOf(caller.membership.permissions).editAnyCollection) return true;
  if (isAdmin(caller.membership) && (caller.organization.allowAdminAccessToAllCollectionItems || unmanaged(rows))) return true;
  return callerManages(caller, rows);
}

/** Delete a collection: as edit, with deleteAnyCollection for custom users and limitCollectionDeletion keeping it to admins. */
export function mayDeleteCollection(caller: Caller, rows: CollectionAccessRows): boolean {
  if (permissionsOf(caller.membership.permissions).deleteAnyCollection) return true;
  if (isAdmin(caller.membership) && (caller.organization.allowAdminAccessToAllCollectionItems || unmanaged(rows))) return true;
  return callerManages(caller, rows) && (!caller.organization.limitCollectionDeletion || isAdmin(caller.membership));
}
