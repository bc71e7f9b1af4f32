import { MembershipEntity, OrganizationEntity } from '../db/entities';
import { PermissionsDto } from '../organizations/dto/organization-response.dto';
import { permissionsOf } from '../organizations/dto/organization-response.mapper';
import { CipherAccess, deletePermission } from './cipher-access';

/**
 * What a confirmed member's role lets them do with an organization's items outside their own collection grants
 * (docs/organizations-plan.md §2): the `-admin` cipher routes, the Admin Console lists, import and purge. The
 * rules are those of bitwarden/server's CiphersController and ImportCiphersController (`CanEditAllCiphersAsync`,
 * `CanEditCipherAsAdminAsync`, `CanDeleteOrRestoreCipherAsAdminAsync`, `CanAccessAllCiphersAsync`,
 * `CurrentContext.ViewAllCollections`/`EditAnyCollection`/`AccessImportExport`). Whoever fails them gets 404.
 */
export interface OrganizationRole {
  /** OrganizationUserType: 0 owner, 1 admin, 2 user, 4 custom. */
  type: number;
  permissions: PermissionsDto;
  allowAdminAccessToAllCollectionItems: boolean;
  limitCollectionCreation: boolean;
}

/** A cipher as an admin route sees it: the caller's own access through collections (null: none), and whether it is in no collection. */
export interface AdminCipherState { access: CipherAccess | null; unassigned: boolean; limitItemDeletion: boolean }

const ownerOrAdmin = (role: OrganizationRole): boolean => role.type === 0 || role.type === 1;

/** Owners, admins and custom users with editAnyCollection: they may use the `-admin` routes at all, and see unassigned items. */
export function isItemAdmin(role: OrganizationRole): boolean {
  return ownerOrAdmin(role) || role.permissions.editAnyCollection;
}

/** Every item of the organization may be edited: custom editAnyCollection, or owners/admins when the organization allows it. */
export function canEditAllItems(role: OrganizationRole): boolean {
  return role.permissions.editAnyCollection || (ownerOrAdmin(role) && role.allowAdminAccessToAllCollectionItems);
}

/** `GET /ciphers/{id}/admin`: owners, admins, custom editAnyCollection or deleteAnyCollection. */
export function canViewAllCollections(role: OrganizationRole): boolean {
  return isItemAdmin(role) || role.permissions.deleteAnyCollection;
}

/** `GET /ciphers/organization-details`: owners, admins, custom accessImportExport, editAnyCollection or accessReports (export works whatever the collection settings). */
export function canListAllItems(role: OrganizationRole): boolean {
  return ownerOrAdmin(role) || role.permissions.accessImportExport || role.permissions.editAnyCollection || role.permissions.accessReports;
}

/** Import into any collection (bitwarden/server `AccessImportExport`): owners, admins, custom accessImportExport. */
export function canImportAnywhere(role: OrganizationRole): boolean {
  return ownerOrAdmin(role) || role.permissions.accessImportExport;
}

/** Create collections: owners, admins, custom createNewCollections, anyone when the organization does not limit creation. */
export function canCreateCollections(role: OrganizationRole): boolean {
  return ownerOrAdmin(role) || role.permissions.createNewCollections || !role.limitCollectionCreation;
}

/** Import into (update) an existing collection: all-items editors, those who manage it, admins of collections nobody manages. */
export function canUpdateCollection(role: OrganizationRole, collection: { managedByCaller: boolean; managedByAnyone: boolean }): boolean {
  if (role.permissions.editAnyCollection) return true;
  if (ownerOrAdmin(role) && role.allowAdminAccessToAllCollectionItems) return true;
  if (collection.managedByCaller) return true;
  return isItemAdmin(role) && !collection.managedByAnyone;
}

/** Purge the organization's vault (bitwarden/server `EditAnyCollection`): owners, admins, custom editAnyCollection. */
export const canPurgeItems = isItemAdmin;

/** `PUT /ciphers/{id}/admin`, `collections-admin`: an item admin who may edit every item, or this one (assigned with edit, or unassigned). */
export function adminMayEdit(role: OrganizationRole, cipher: AdminCipherState): boolean {
  if (!isItemAdmin(role)) return false;
  return canEditAllItems(role) || cipher.unassigned || (cipher.access?.edit ?? false);
}

/** `bulk-collections`: as edit, but an assigned item also needs view password (bitwarden/server `CanModifyCipherCollectionsAsync`). */
export function mayReassign(role: OrganizationRole, cipher: AdminCipherState): boolean {
  if (canEditAllItems(role)) return true;
  if (cipher.unassigned) return isItemAdmin(role);
  return !!cipher.access && cipher.access.edit && cipher.access.viewPassword;
}

/** `…/delete-admin`, `…/restore-admin`: an item admin who may edit every item, or whose access (or an unassigned item) allows deletion. */
export function adminMayDelete(role: OrganizationRole, cipher: AdminCipherState): boolean {
  if (!isItemAdmin(role)) return false;
  if (canEditAllItems(role) || cipher.unassigned) return true;
  return !!cipher.access && deletePermission(cipher.access, cipher.limitItemDeletion);
}

/** The role of a confirmed membership in its organization. */
export function roleOf(organization: OrganizationEntity, membership: MembershipEntity): OrganizationRole {
  return {
    type: membership.type,
    permissions: permissionsOf(membership.permissions),
    allowAdminAccessToAllCollectionItems: organization.allowAdminAccessToAllCollectionItems,
    limitCollectionCreation: organization.limitCollectionCreation,
  };
}
