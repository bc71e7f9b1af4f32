/**
 * What a user may do with a cipher (docs/organizations-plan.md §5.3). Personal ciphers: everything. An
 * organization cipher: from the user's grants on the collections it is in; the official server keeps the single
 * best grant, ordered by manage, then edit (not read-only), then view password (not hidden).
 */
export interface CipherAccess {
  edit: boolean;
  viewPassword: boolean;
  manage: boolean;
  /** The cipher's collections the user is assigned to ([] for personal ciphers). */
  collectionIds: string[];
}

/** One grant: the user's access to one collection the cipher is in. */
export interface CollectionGrant { collectionId: string; readOnly: boolean; hidePasswords: boolean; manage: boolean }

export const PERSONAL_ACCESS: CipherAccess = { edit: true, viewPassword: true, manage: true, collectionIds: [] };

const rank = (g: CollectionGrant): number => (g.manage ? 4 : 0) + (g.readOnly ? 0 : 2) + (g.hidePasswords ? 0 : 1);

/** The access the grants give, or null when there is none (the cipher is not visible to the user). */
export function accessFromGrants(grants: CollectionGrant[]): CipherAccess | null {
  if (grants.length === 0) return null;
  const best = grants.reduce((a, b) => (rank(b) > rank(a) ? b : a));
  return {
    edit: !best.readOnly || best.manage,
    viewPassword: !best.hidePasswords || best.manage,
    manage: best.manage,
    collectionIds: [...new Set(grants.map((g) => g.collectionId))],
  };
}

/** `permissions` of a cipher response: delete and restore follow manage when the org limits item deletion, else edit. */
export function deletePermission(access: CipherAccess, limitItemDeletion: boolean): boolean {
  return limitItemDeletion ? access.manage : access.manage || access.edit;
}
