/**
 * The one place where each notification payload is built (notifications.md §5.2). Keys are PascalCase in
 * encoding order, as the hub sends them; the relay and JSON encoders convert them to camelCase.
 * Ids are lowercase; dates are Date values (MessagePack timestamp on the hub, RFC 3339 elsewhere).
 */
export type WirePayload = Record<string, string | number | boolean | Date | null | string[]>;

const id = (value: string): string => value.toLowerCase();
const optionalId = (value: string | null): string | null => (value === null ? null : value.toLowerCase());

export function cipherPayload(p: { id: string; userId: string | null; organizationId: string | null; collectionIds: string[] | null; revisionDate: Date }): WirePayload {
  return {
    Id: id(p.id),
    UserId: optionalId(p.userId),
    OrganizationId: optionalId(p.organizationId),
    CollectionIds: p.collectionIds === null ? null : p.collectionIds.map(id),
    RevisionDate: p.revisionDate,
  };
}

export function folderPayload(p: { id: string; userId: string; revisionDate: Date }): WirePayload {
  return { Id: id(p.id), UserId: id(p.userId), RevisionDate: p.revisionDate };
}

/** Send types 12, 13, 14: `UserId` is always the owner (clients apply Send changes only for the active account). */
export function sendPayload(p: { id: string; userId: string; revisionDate: Date }): WirePayload {
  return { Id: id(p.id), UserId: id(p.userId), RevisionDate: p.revisionDate };
}

/** Types 4, 5, 6, 10: `Date` is the recipient's account revision date after the change. */
export function userPayload(p: { userId: string; date: Date }): WirePayload {
  return { UserId: id(p.userId), Date: p.date };
}

export function logoutPayload(p: { userId: string; date: Date; reason: number | null }): WirePayload {
  return { UserId: id(p.userId), Date: p.date, Reason: p.reason };
}

export function authRequestPayload(p: { id: string; userId: string }): WirePayload {
  return { Id: id(p.id), UserId: id(p.userId) };
}

/** camelCase keys for relay and Web Push bodies. */
export function toCamelPayload(payload: WirePayload): WirePayload {
  const out: WirePayload = {};
  for (const [key, value] of Object.entries(payload)) out[key.charAt(0).toLowerCase() + key.slice(1)] = value;
  return out;
}
