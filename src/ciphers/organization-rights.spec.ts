import { PermissionsDto } from '../organizations/dto/organization-response.dto';
import { CipherAccess } from './cipher-access';
import {
  AdminCipherState, adminMayDelete, adminMayEdit, canCreateCollections, canEditAllItems, canImportAnywhere, canListAllItems, canPurgeItems,
  canUpdateCollection, canViewAllCollections, isItemAdmin, mayReassign, OrganizationRole,
} from './organization-rights';

const NONE: PermissionsDto = {
  accessEventLogs: false, accessImportExport: false, accessReports: false, createNewCollections: false, editAnyCollection: false,
  deleteAnyCollection: false, manageGroups: false, managePolicies: false, manageSso: false, manageUsers: false, manageResetPassword: false,
  manageScim: false, manageAccessRules: false,
};
const role = (type: number, permissions: Partial<PermissionsDto> = {}, allowAdmin = true, limitCreation = false): OrganizationRole => ({
  type, permissions: { ...NONE, ...permissions }, allowAdminAccessToAllCollectionItems: allowAdmin, limitCollectionCreation: limitCreation,
});
const access = (edit: boolean, viewPassword = true, manage = false): CipherAccess => ({ edit, viewPassword, manage, collectionIds: ['c'] });
const item = (a: CipherAccess | null, unassigned = false, limitItemDeletion = false): AdminCipherState => ({ access: a, unassigned, limitItemDeletion });

describe('organization rights (bitwarden/server CiphersController and ImportCiphersController rules)', () => {
  const owner = role(0);
  const admin = role(1);
  const restrictedOwner = role(0, {}, false);
  const restrictedAdmin = role(1, {}, false);
  const user = role(2);
  const editAny = role(4, { editAnyCollection: true }, false);
  const deleteAny = role(4, { deleteAnyCollection: true });
  const importer = role(4, { accessImportExport: true });
  const reporter = role(4, { accessReports: true });

  it('edit every item: custom editAnyCollection always, owners and admins only when the organization allows it', () => {
    expect([owner, admin, restrictedOwner, restrictedAdmin, user, editAny, deleteAny, importer].map(canEditAllItems))
      .toEqual([true, true, false, false, false, true, false, false]);
  });

  it('the -admin routes at all (and unassigned items): owners, admins, custom editAnyCollection, whatever the setting', () => {
    expect([owner, restrictedAdmin, user, editAny, deleteAny, importer].map(isItemAdmin)).toEqual([true, true, false, true, false, false]);
    expect([owner, restrictedAdmin, user, editAny, deleteAny, importer].map(canPurgeItems)).toEqual([true, true, false, true, false, false]);
  });

  it('view one item as admin: also deleteAnyCollection; list them all: also accessImportExport and accessReports', () => {
    expect([restrictedOwner, user, deleteAny, importer, reporter].map(canViewAllCollections)).toEqual([true, false, true, false, false]);
    expect([restrictedOwner, user, deleteAny, importer, reporter, editAny].map(canListAllItems)).toEqual([true, false, false, true, true, true]);
  });

  it('admin edit of one item: all-items editors any item; restricted owners and admins only items they may edit or unassigned ones; users never', () => {
    expect(adminMayEdit(owner, item(null))).toBe(true);
    expect(adminMayEdit(restrictedOwner, item(null))).toBe(false);
    expect(adminMayEdit(restrictedOwner, item(null, true))).toBe(true);
    expect(adminMayEdit(restrictedOwner, item(access(true)))).toBe(true);
    expect(adminMayEdit(restrictedOwner, item(access(false)))).toBe(false);
    expect(adminMayEdit(user, item(access(true, true, true)))).toBe(false);
    expect(adminMayEdit(user, item(null, true))).toBe(false);
    expect(adminMayEdit(editAny, item(null))).toBe(true);
  });

  it('admin delete and restore follow permissions.delete (manage only under limitItemDeletion) for restricted admins', () => {
    expect(adminMayDelete(restrictedAdmin, item(access(true)))).toBe(true);
    expect(adminMayDelete(restrictedAdmin, item(access(true), false, true))).toBe(false);
    expect(adminMayDelete(restrictedAdmin, item(access(false, true, true), false, true))).toBe(true);
    expect(adminMayDelete(restrictedAdmin, item(null, true, true))).toBe(true);
    expect(adminMayDelete(admin, item(null, false, true))).toBe(true);
    expect(adminMayDelete(user, item(access(true, true, true)))).toBe(false);
  });

  it('bulk collection changes: any member may move items they edit with passwords visible; unassigned ones only item admins', () => {
    expect(mayReassign(user, item(access(true)))).toBe(true);
    expect(mayReassign(user, item(access(true, false)))).toBe(false);
    expect(mayReassign(user, item(access(false)))).toBe(false);
    expect(mayReassign(user, item(null, true))).toBe(false);
    expect(mayReassign(restrictedAdmin, item(null, true))).toBe(true);
    expect(mayReassign(restrictedAdmin, item(null))).toBe(false);
    expect(mayReassign(owner, item(null))).toBe(true);
  });

  it('import: anywhere with accessImportExport (owners, admins); else new collections need the create right, existing ones the update right', () => {
    expect([owner, restrictedAdmin, user, importer, editAny].map(canImportAnywhere)).toEqual([true, true, false, true, false]);
    expect(canCreateCollections(user)).toBe(true);
    expect(canCreateCollections(role(2, {}, true, true))).toBe(false);
    expect(canCreateCollections(role(4, { createNewCollections: true }, true, true))).toBe(true);
    expect(canUpdateCollection(user, { managedByCaller: true, managedByAnyone: true })).toBe(true);
    expect(canUpdateCollection(user, { managedByCaller: false, managedByAnyone: false })).toBe(false);
    expect(canUpdateCollection(restrictedAdmin, { managedByCaller: false, managedByAnyone: true })).toBe(false);
    expect(canUpdateCollection(restrictedAdmin, { managedByCaller: false, managedByAnyone: false })).toBe(true);
    expect(canUpdateCollection(admin, { managedByCaller: false, managedByAnyone: true })).toBe(true);
    expect(canUpdateCollection(editAny, { managedByCaller: false, managedByAnyone: true })).toBe(true);
  });
});
