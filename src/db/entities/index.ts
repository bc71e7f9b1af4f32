import { AuthRequestEntity } from './auth-request.entity';
import { CipherEntity } from './cipher.entity';
import { CollectionCipherEntity } from './collection-cipher.entity';
import { CollectionMemberEntity } from './collection-member.entity';
import { CollectionEntity } from './collection.entity';
import { DeviceEntity } from './device.entity';
import { FavoriteEntity } from './favorite.entity';
import { FolderCipherEntity } from './folder-cipher.entity';
import { FolderEntity } from './folder.entity';
import { MembershipEntity } from './membership.entity';
import { OrganizationEntity } from './organization.entity';
import { PolicyEntity } from './policy.entity';
import { PushOutboxEntity } from './push-outbox.entity';
import { UserEntity } from './user.entity';

export {
  AuthRequestEntity, CipherEntity, CollectionCipherEntity, CollectionEntity, CollectionMemberEntity, DeviceEntity, FavoriteEntity, FolderCipherEntity,
  FolderEntity, MembershipEntity, OrganizationEntity, PolicyEntity, PushOutboxEntity, UserEntity,
};
export const ENTITIES = [UserEntity, DeviceEntity, FolderEntity, CipherEntity, FolderCipherEntity, FavoriteEntity, AuthRequestEntity, PushOutboxEntity,
  OrganizationEntity, MembershipEntity, CollectionEntity, CollectionMemberEntity, CollectionCipherEntity, PolicyEntity];
