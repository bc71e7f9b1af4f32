/**
 * Update types: the wire value of `Type` on the hubs and `type` in relay bodies. Numbers and names as in
 * bitwarden/server src/Core/Platform/Push/PushType.cs (notifications.md §4). Only the number is on the wire.
 */
export enum UpdateType {
  SyncCipherUpdate = 0,
  SyncCipherCreate = 1,
  SyncLoginDelete = 2,
  SyncFolderDelete = 3,
  SyncCiphers = 4,
  SyncVault = 5,
  SyncOrgKeys = 6,
  SyncFolderCreate = 7,
  SyncFolderUpdate = 8,
  SyncCipherDelete = 9,
  SyncSettings = 10,
  LogOut = 11,
  SyncSendCreate = 12,
  SyncSendUpdate = 13,
  SyncSendDelete = 14,
  AuthRequest = 15,
  AuthRequestResponse = 16,
}

/** Hub invocation targets (bitwarden/server NotificationsHub; the misspelling is the real name). */
export const HUB_TARGET_RECEIVE_MESSAGE = 'ReceiveMessage';
export const HUB_TARGET_AUTH_REQUEST_RESPONSE = 'AuthRequestResponseRecieved';
