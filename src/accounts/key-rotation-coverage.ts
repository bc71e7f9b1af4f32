/** Ids of what a user key rotation must re-key, or (in a request) does re-key. */
export interface RotationSet {
  /** Personal items (in the trash too). */
  cipherIds: string[];
  folderIds: string[];
  sendIds: string[];
  /** Emergency access grants the user gave that hold a copy of the user key. */
  emergencyAccessIds: string[];
  /** Organizations holding an account recovery copy of the user key (memberships with a reset password key). */
  recoveryOrganizationIds: string[];
}

interface Kind { key: keyof RotationSet; missing: string; foreign: string }

/**
 * In the order bitwarden/server validates them; `missing` in its words, `foreign` (an id that is not the user's)
 * in Vaultwarden's, which refuses those where the official server ignores them.
 */
const KINDS: Kind[] = [
  { key: 'cipherIds', missing: 'All existing ciphers must be included in the rotation.', foreign: "Cipher doesn't exist" },
  { key: 'folderIds', missing: 'All existing folders must be included in the rotation.', foreign: "Folder doesn't exist" },
  { key: 'sendIds', missing: 'All existing sends must be included in the rotation.', foreign: "Send doesn't exist" },
  { key: 'emergencyAccessIds', missing: 'All existing emergency access keys must be included in the rotation.', foreign: 'Emergency access doesn\'t exist or is not owned by the user' },
  { key: 'recoveryOrganizationIds', missing: 'All existing reset password keys must be included in the rotation.', foreign: "Reset password doesn't exist" },
];

/**
 * Why a rotation request may not be applied, or null: every id the user holds must be in the request (a partial
 * rotation would leave data under the old key, unreadable once it is gone), and every id in the request must be
 * the user's. Ids compare case-insensitively.
 */
export function rotationCoverageProblem(held: RotationSet, given: RotationSet): string | null {
  for (const kind of KINDS) {
    const heldIds = new Set(held[kind.key].map((id) => id.toLowerCase()));
    const givenIds = new Set(given[kind.key].map((id) => id.toLowerCase()));
    for (const id of heldIds) if (!givenIds.has(id)) return kind.missing;
    for (const id of givenIds) if (!heldIds.has(id)) return kind.foreign;
  }
  return null;
}
