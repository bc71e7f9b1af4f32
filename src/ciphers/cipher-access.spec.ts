import { accessFromGrants, deletePermission, PERSONAL_ACCESS } from './cipher-access';

const grant = (collectionId: string, readOnly: boolean, hidePasswords: boolean, manage: boolean) => ({ collectionId, readOnly, hidePasswords, manage });

describe('cipher access from collection grants', () => {
  it('no grant: not visible', () => {
    expect(accessFromGrants([])).toBeNull();
  });

  it('keeps the single best grant (manage, then edit, then view password) and lists every collection once', () => {
    expect(accessFromGrants([grant('a', true, true, false), grant('b', false, true, false), grant('b', true, false, false)])).toEqual({
      edit: true, viewPassword: false, manage: false, collectionIds: ['a', 'b'],
    });
    expect(accessFromGrants([grant('a', true, false, false), grant('b', false, false, true)])).toEqual({ edit: true, viewPassword: true, manage: true, collectionIds: ['a', 'b'] });
    expect(accessFromGrants([grant('a', true, true, false)])).toEqual({ edit: false, viewPassword: false, manage: false, collectionIds: ['a'] });
  });

  it('delete and restore: manage when the organization limits item deletion, else edit or manage', () => {
    const readOnly = accessFromGrants([grant('a', true, false, false)])!;
    const editor = accessFromGrants([grant('a', false, false, false)])!;
    expect([deletePermission(readOnly, false), deletePermission(editor, false), deletePermission(editor, true), deletePermission(PERSONAL_ACCESS, true)]).toEqual([false, true, false, true]);
  });
});
