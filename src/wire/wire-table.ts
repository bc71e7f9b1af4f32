import { CipherChange, DomainEventMap, DomainEventName, FolderChange, SendChange } from '../event-bus/domain-events';
import { authRequestPayload, cipherPayload, folderPayload, logoutPayload, sendPayload, userPayload } from './payloads';
import { UpdateType } from './update-type';
import { WireChannel, WireContext, WireMessage } from './wire-message';

const BOTH: readonly WireChannel[] = ['hub', 'push'];
const HUB_ONLY: readonly WireChannel[] = ['hub'];

type Row<K extends DomainEventName> = {
  /** Users whose account revision date the messages carry (read by the caller before translating). */
  revisionDatesOf?: (event: DomainEventMap[K]) => string[];
  messages: (event: DomainEventMap[K], context: WireContext) => WireMessage[];
};

/**
 * Cipher types 0, 1, 2: one message per recipient (de-duplicated), ContextId the acting device. The hub payload
 * names the owner (nil for an organization cipher); the relay's names the recipient (§5.4, §7.1).
 */
function cipherMessages(type: UpdateType, e: CipherChange): WireMessage[] {
  const base = { id: e.cipherId, organizationId: e.organizationId, collectionIds: e.collectionIds, revisionDate: e.revisionDate };
  const payload = cipherPayload({ ...base, userId: e.userId });
  return [...new Set(e.recipients.map((r) => r.toLowerCase()))].map((userId) => {
    const relayPayload = cipherPayload({ ...base, userId });
    return {
      to: { kind: 'user', userId }, type, payload, ...(relayPayload.UserId === payload.UserId ? {} : { relayPayload }),
      contextId: e.actor?.deviceIdentifier ?? null, actingDeviceId: e.actor?.deviceId ?? null, objectId: e.cipherId, close: null, channels: BOTH,
    };
  });
}

/** Folder types 3, 7, 8: the owner, ContextId the acting device. */
function folderMessages(type: UpdateType, e: FolderChange): WireMessage[] {
  return [{
    to: { kind: 'user', userId: e.userId }, type, payload: folderPayload({ id: e.folderId, userId: e.userId, revisionDate: e.revisionDate }),
    contextId: e.actor.deviceIdentifier, actingDeviceId: e.actor.deviceId, objectId: e.folderId, close: null, channels: BOTH,
  }];
}

/** Send types 12, 13, 14: the owner; ContextId the acting device, none for anonymous access and the purge (§8.3). */
function sendMessages(type: UpdateType, e: SendChange): WireMessage[] {
  return [{
    to: { kind: 'user', userId: e.userId.toLowerCase() }, type, payload: sendPayload({ id: e.sendId, userId: e.userId, revisionDate: e.revisionDate }),
    contextId: e.actor?.deviceIdentifier ?? null, actingDeviceId: e.actor?.deviceId ?? null, objectId: e.sendId, close: null, channels: BOTH,
  }];
}

/** Types 4, 5, 10: one per user carrying that user's account revision date; no ContextId (the acting device re-syncs too). */
function userSyncMessages(type: UpdateType, userIds: string[], actingDeviceId: string | null, context: WireContext): WireMessage[] {
  return [...new Set(userIds.map((u) => u.toLowerCase()))].map((userId) => ({
    to: { kind: 'user', userId }, type, payload: userPayload({ userId, date: context.revisionDate(userId) }),
    contextId: null, actingDeviceId, objectId: userId, close: null, channels: BOTH,
  }));
}

/**
 * The wire table: what every domain event means on the wire (notifications.md §7.8). One row per event; the
 * hub and push consumers only deliver what it returns. Pure: no clock or database of its own.
 */
export const WIRE_TABLE: { [K in DomainEventName]: Row<K> } = {
  CipherCreated: { messages: (e) => cipherMessages(UpdateType.SyncCipherCreate, e) },
  CipherUpdated: { messages: (e) => cipherMessages(UpdateType.SyncCipherUpdate, e) },
  CipherDeleted: { messages: (e) => cipherMessages(UpdateType.SyncLoginDelete, e) },
  CiphersBulkChanged: {
    revisionDatesOf: (e) => e.userIds,
    messages: (e, c) => userSyncMessages(e.kind === 'vault' ? UpdateType.SyncVault : UpdateType.SyncCiphers, e.userIds, e.actor?.deviceId ?? null, c),
  },
  FolderCreated: { messages: (e) => folderMessages(UpdateType.SyncFolderCreate, e) },
  FolderUpdated: { messages: (e) => folderMessages(UpdateType.SyncFolderUpdate, e) },
  FolderDeleted: { messages: (e) => folderMessages(UpdateType.SyncFolderDelete, e) },
  SendCreated: { messages: (e) => sendMessages(UpdateType.SyncSendCreate, e) },
  SendUpdated: { messages: (e) => sendMessages(UpdateType.SyncSendUpdate, e) },
  SendAccessed: { messages: (e) => sendMessages(UpdateType.SyncSendUpdate, e) },
  SendDeleted: { messages: (e) => sendMessages(UpdateType.SyncSendDelete, e) },
  UserSettingsChanged: {
    revisionDatesOf: (e) => [e.userId],
    messages: (e, c) => userSyncMessages(UpdateType.SyncSettings, [e.userId], e.actor?.deviceId ?? null, c),
  },
  /** LogOut to every device of the user, then its sockets close; the acting device stays signed in (§7.5). */
  UserLoggedOut: {
    messages: (e, c) => [{
      to: { kind: 'user', userId: e.userId }, type: UpdateType.LogOut, payload: logoutPayload({ userId: e.userId, date: c.now, reason: e.reason }),
      contextId: e.actor?.deviceIdentifier ?? null, actingDeviceId: e.actor?.deviceId ?? null, objectId: e.userId,
      close: { exceptDeviceId: e.keepDeviceId }, channels: BOTH,
    }],
  },
  /** LogOut to that device's sockets only, then they close. The relay learns of it through DevicePushTokenCleared. */
  DeviceRemoved: {
    messages: (e, c) => [{
      to: { kind: 'device', userId: e.userId, deviceId: e.deviceId }, type: UpdateType.LogOut, payload: logoutPayload({ userId: e.userId, date: c.now, reason: null }),
      contextId: null, actingDeviceId: null, objectId: e.userId, close: { exceptDeviceId: null }, channels: HUB_ONLY,
    }],
  },
  /** SyncCiphers (4) to each member whose collection access changed (§8.6; bitwarden/server and Vaultwarden send none). */
  CollectionAccessChanged: {
    revisionDatesOf: (e) => e.userIds,
    messages: (e, c) => userSyncMessages(UpdateType.SyncCiphers, e.userIds, e.actor?.deviceId ?? null, c),
  },
  /** Nothing on the wire: the new account has no device yet. */
  UserRegistered: { messages: () => [] },
  /** Nothing on the wire itself: organizations act on it, and their revocations emit OrganizationKeysChanged. */
  TwoFactorDisabled: { messages: () => [] },
  // Relay registrations, not notifications: the push consumer registers and deletes devices itself.
  DevicePushTokenSet: { messages: () => [] },
  DevicePushTokenCleared: { messages: () => [] },
  /**
   * SyncOrgKeys (6) to each user, with that user's account revision date; the clients resync and reconnect
   * (§8.6). ContextId: the acting device when members leave themselves, else none.
   */
  OrganizationKeysChanged: {
    revisionDatesOf: (e) => e.userIds,
    messages: (e, c) => userSyncMessages(UpdateType.SyncOrgKeys, e.userIds, e.actor?.deviceId ?? null, c)
      .map((m) => (e.reason === 'left' ? { ...m, contextId: e.actor?.deviceIdentifier ?? null } : m)),
  },
  /** AuthRequest (15) to the account's owner; ContextId the requesting device (§6.2). */
  AuthRequestCreated: {
    messages: (e) => [{
      to: { kind: 'user', userId: e.userId }, type: UpdateType.AuthRequest, payload: authRequestPayload({ id: e.authRequestId, userId: e.userId }),
      contextId: e.requestDeviceIdentifier, actingDeviceId: null, objectId: e.authRequestId, close: null, channels: BOTH,
    }],
  },
  /** Approval: AuthRequestResponseRecieved to the waiting device on the anonymous hub, and 16 to the owner. */
  AuthRequestApproved: {
    messages: (e) => {
      const payload = authRequestPayload({ id: e.authRequestId, userId: e.userId });
      return [
        {
          to: { kind: 'anonymous', token: e.authRequestId.toLowerCase() }, type: UpdateType.AuthRequestResponse, payload,
          contextId: null, actingDeviceId: null, objectId: e.authRequestId, close: null, channels: HUB_ONLY,
        },
        {
          to: { kind: 'user', userId: e.userId }, type: UpdateType.AuthRequestResponse, payload,
          contextId: e.actor.deviceIdentifier, actingDeviceId: e.actor.deviceId, objectId: e.authRequestId, close: null, channels: BOTH,
        },
      ];
    },
  },
};

/** The users whose account revision dates `toWireMessages` will need for this event. */
export function revisionDatesNeeded<K extends DomainEventName>(name: K, event: DomainEventMap[K]): string[] {
  const row = WIRE_TABLE[name] as Row<K>;
  return row.revisionDatesOf ? [...new Set(row.revisionDatesOf(event).map((u) => u.toLowerCase()))] : [];
}

/** What `event` means on the wire: the messages to deliver, each with its recipient and channels. */
export function toWireMessages<K extends DomainEventName>(name: K, event: DomainEventMap[K], context: WireContext): WireMessage[] {
  return (WIRE_TABLE[name] as Row<K>).messages(event, context);
}
