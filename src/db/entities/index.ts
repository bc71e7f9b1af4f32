import { AuthRequestEntity } from './auth-request.entity';
import { CipherArchiveEntity } from './cipher-archive.entity';
import { CipherEntity } from './cipher.entity';
import { CollectionCipherEntity } from './collection-cipher.entity';
import { CollectionMemberEntity } from './collection-member.entity';
import { CollectionEntity } from './collection.entity';
import { DeviceEntity } from './device.entity';
import { FavoriteEntity } from './favorite.entity';
import { FolderCipherEntity } from './folder-cipher.entity';
import { FolderEntity } from './folder.entity';
import { CollectionGroupEntity } from './collection-group.entity';
import { GroupMemberEntity } from './group-member.entity';
import { GroupEntity } from './group.entity';
import { MailOutboxEntity } from './mail-outbox.entity';
import { MembershipEntity } from './membership.entity';
import { OrganizationEntity } from './organization.entity';
import { PolicyEntity } from './policy.entity';
import { PushOutboxEntity } from './push-outbox.entity';
import { TwoFactorIncompleteEntity } from './two-factor-incomplete.entity';
import { TwoFactorRememberEntity } from './two-factor-remember.entity';
import { TwoFactorEntity } from './two-factor.entity';
import { UserEntity } from './user.entity';
import { AttachmentEntity } from './attachment.entity';
import { SendEntity } from './send.entity';
import { UserInvitationEntity } from './user-invitation.entity';
import { EmergencyAccessEntity } from './emergency-access.entity';

export {
  AuthRequestEntity, CipherEntity, CollectionCipherEntity, CollectionEntity, CollectionMemberEntity, DeviceEntity, FavoriteEntity, FolderCipherEntity,
  FolderEntity, MembershipEntity, OrganizationEntity, PolicyEntity, PushOutboxEntity, UserEntity,
};
export { CollectionGroupEntity, GroupEntity, GroupMemberEntity };
export { MailOutboxEntity };
export { CipherArchiveEntity };
export { AttachmentEntity };
export { SendEntity };
export { UserInvitationEntity };
export { EmergencyAccessEntity };
export { TwoFactorEntity, TwoFactorIncompleteEntity, TwoFactorRememberEntity };
export const ENTITIES = [UserEntity, DeviceEntity, FolderEntity, CipherEntity, FolderCipherEntity, FavoriteEntity, AuthRequestEntity, PushOutboxEntity,
  OrganizationEntity, MembershipEntity, CollectionEntity, CollectionMemberEntity, CollectionCipherEntity, PolicyEntity,
  GroupEntity, GroupMemberEntity, CollectionGroupEntity, MailOutboxEntity, TwoFactorEntity, TwoFactorRememberEntity, TwoFactorIncompleteEntity,
  CipherArchiveEntity, AttachmentEntity, SendEntity, UserInvitationEntity, EmergencyAccessEntity];
