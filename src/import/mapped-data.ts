import {
  AttachmentEntity, AuthRequestEntity, CipherArchiveEntity, CipherEntity, CollectionCipherEntity, CollectionEntity, CollectionGroupEntity,
  CollectionMemberEntity, DeviceEntity, EmergencyAccessEntity, FavoriteEntity, FolderCipherEntity, FolderEntity, GroupEntity, GroupMemberEntity,
  MembershipEntity, OrganizationEntity, PolicyEntity, SendEntity, TwoFactorEntity, TwoFactorIncompleteEntity, TwoFactorRememberEntity,
  UserEntity, UserInvitationEntity,
} from '../db/entities';

/**
 * Everything the import writes, table by table, in an order that satisfies the foreign keys (parents first).
 * The writer inserts the tables in this order.
 */
export interface MappedData {
  users: UserEntity[];
  user_invitations: UserInvitationEntity[];
  devices: DeviceEntity[];
  two_factor_remember: TwoFactorRememberEntity[];
  two_factor: TwoFactorEntity[];
  two_factor_incomplete: TwoFactorIncompleteEntity[];
  folders: FolderEntity[];
  organizations: OrganizationEntity[];
  memberships: MembershipEntity[];
  collections: CollectionEntity[];
  collection_members: CollectionMemberEntity[];
  org_groups: GroupEntity[];
  group_members: GroupMemberEntity[];
  collection_groups: CollectionGroupEntity[];
  policies: PolicyEntity[];
  ciphers: CipherEntity[];
  folder_ciphers: FolderCipherEntity[];
  favorites: FavoriteEntity[];
  cipher_archives: CipherArchiveEntity[];
  collection_ciphers: CollectionCipherEntity[];
  attachments: AttachmentEntity[];
  sends: SendEntity[];
  emergency_access: EmergencyAccessEntity[];
  auth_requests: AuthRequestEntity[];
}

export type TargetTable = keyof MappedData;

export const ENTITY_OF: { [T in TargetTable]: new () => MappedData[T][number] } = {
  users: UserEntity, user_invitations: UserInvitationEntity, devices: DeviceEntity, two_factor_remember: TwoFactorRememberEntity,
  two_factor: TwoFactorEntity, two_factor_incomplete: TwoFactorIncompleteEntity, folders: FolderEntity, organizations: OrganizationEntity,
  memberships: MembershipEntity, collections: CollectionEntity, collection_members: CollectionMemberEntity, org_groups: GroupEntity,
  group_members: GroupMemberEntity, collection_groups: CollectionGroupEntity, policies: PolicyEntity, ciphers: CipherEntity,
  folder_ciphers: FolderCipherEntity, favorites: FavoriteEntity, cipher_archives: CipherArchiveEntity, collection_ciphers: CollectionCipherEntity,
  attachments: AttachmentEntity, sends: SendEntity, emergency_access: EmergencyAccessEntity, auth_requests: AuthRequestEntity,
};

export const TARGET_TABLES = Object.keys(ENTITY_OF) as TargetTable[];

export function emptyMappedData(): MappedData {
  return Object.fromEntries(TARGET_TABLES.map((t) => [t, []])) as unknown as MappedData;
}

/** A file to copy: from the Vaultwarden data folder to Vaultwave's folder of its kind, same relative path. */
export interface FileToCopy { kind: 'attachments' | 'sends'; source: string; relative: string; size: number }
