/**
 * Every domain event and its payload. Feature services emit these from inside their unit of work; the
 * notifications and push modules consume them. Their wire meaning is decided in one place: src/wire/wire-table.ts.
 */

import { Actor } from '../common/auth/actor';

export type { Actor };

export interface CipherChange {
  cipherId: string;
  /** Owner for personal ciphers; null for organization ciphers. */
  userId: string | null;
  organizationId: string | null;
  collectionIds: string[] | null;
  revisionDate: Date;
  /** Users who receive the change (owner, or users with access). */
  recipients: string[];
  actor: Actor | null;
}

export interface FolderChange { folderId: string; userId: string; revisionDate: Date; actor: Actor }

/** A Send of `userId` changed; `actor` null when nobody's device did it (anonymous access, the purge). */
export interface SendChange { sendId: string; userId: string; revisionDate: Date; actor: Actor | null }

/** LogOut reasons of bitwarden/server PushNotificationLogOutReason; null for "other". */
export type LogoutReason = 0 | 1 | null;

export type DomainEventMap = {
  CipherCreated: CipherChange;
  /** Edit, trash, restore, archive, attachment change. */
  CipherUpdated: CipherChange;
  /** Hard delete; recipients computed before the delete. */
  CipherDeleted: CipherChange;
  /**
   * Multi-item operations: one SyncCiphers (4) or SyncVault (5) per affected user (the caller, and for organization
   * items every member who could see one of them, before or after the change).
   */
  CiphersBulkChanged: { userIds: string[]; kind: 'ciphers' | 'vault'; reason: 'bulk-delete' | 'bulk-trash' | 'bulk-restore' | 'bulk-move' | 'bulk-archive' | 'bulk-unarchive' | 'bulk-share' | 'bulk-collections' | 'import' | 'purge'; actor: Actor | null };
  FolderCreated: FolderChange;
  FolderUpdated: FolderChange;
  FolderDeleted: FolderChange;
  SendCreated: SendChange;
  /** Edit, password removal, file upload. */
  SendUpdated: SendChange;
  /** An anonymous access that counted (no actor): the owner's devices refresh the access count. */
  SendAccessed: SendChange;
  /** Delete by the owner, a refused upload, the purge. */
  SendDeleted: SendChange;
  UserSettingsChanged: { userId: string; actor: Actor | null };
  /**
   * The user's sessions end: password change, security-stamp reset, account deletion, admin deauth.
   * `keepDeviceId`: the acting device that stays signed in (self-service password change).
   */
  UserLoggedOut: { userId: string; reason: LogoutReason; actor: Actor | null; keepDeviceId: string | null };
  /** One device lost its session (deactivated, deleted, refresh token revoked). */
  DeviceRemoved: { userId: string; deviceId: string; deviceIdentifier: string; actor: Actor | null };
  /**
   * A device's push token must be registered with the relay: it was stored or changed (`tokenChanged`), or a
   * login found the device's relay registration missing, failed or made against another relay/installation.
   * Carries no token: consumers read it from the device in the same transaction.
   */
  DevicePushTokenSet: { userId: string; deviceId: string; deviceIdentifier: string; deviceType: number; tokenChanged: boolean };
  /**
   * A device's push token is gone: cleared by the app (`cleared`), or the device itself is being removed
   * (`device-removed`, `sessions-ended`). Emitted before the device row is deleted.
   */
  DevicePushTokenCleared: { userId: string; deviceId: string; deviceIdentifier: string; deviceType: number; reason: 'cleared' | 'device-removed' | 'sessions-ended' };
  /**
   * The organizations a user belongs to, or their keys, changed for these users (organization created, left,
   * deleted; later: confirm, remove, revoke, restore): SyncOrgKeys (6) to each.
   */
  OrganizationKeysChanged: {
    organizationId: string; userIds: string[]; reason: 'created' | 'left' | 'deleted' | 'confirmed' | 'removed' | 'revoked' | 'restored'; actor: Actor | null;
  };
  /**
   * Who may see a collection changed (created, access edited, deleted), or what a group or a member's groups give
   * (`collectionId` null): SyncCiphers (4) to each user whose access changed.
   */
  CollectionAccessChanged: { organizationId: string; collectionId: string | null; userIds: string[]; actor: Actor | null };
  /**
   * An account was created (organizations turn pending invitations to its email into memberships).
   * `inviteMemberId`: the invitation whose accept token came with the registration (checked), else null.
   */
  UserRegistered: { userId: string; email: string; inviteMemberId?: string | null; emergencyAccessId?: string | null };
  /**
   * The user's last two-step login provider went (turned off, removed, or the recovery code used): organizations
   * revoke the memberships that "Require two-step login" binds. `actor`: null for the anonymous recovery form.
   */
  TwoFactorDisabled: { userId: string; actor: Actor | null };
  AuthRequestCreated: { authRequestId: string; userId: string; requestDeviceIdentifier: string };
  AuthRequestApproved: { authRequestId: string; userId: string; actor: Actor };
};

export type DomainEventName = keyof DomainEventMap;
export type DomainEvent<K extends DomainEventName> = DomainEventMap[K];
