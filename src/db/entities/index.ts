import { AuthRequestEntity } from './auth-request.entity';
import { CipherEntity } from './cipher.entity';
import { DeviceEntity } from './device.entity';
import { FavoriteEntity } from './favorite.entity';
import { FolderCipherEntity } from './folder-cipher.entity';
import { FolderEntity } from './folder.entity';
import { PushOutboxEntity } from './push-outbox.entity';
import { UserEntity } from './user.entity';

export { AuthRequestEntity, CipherEntity, DeviceEntity, FavoriteEntity, FolderCipherEntity, FolderEntity, PushOutboxEntity, UserEntity };
export const ENTITIES = [UserEntity, DeviceEntity, FolderEntity, CipherEntity, FolderCipherEntity, FavoriteEntity, AuthRequestEntity, PushOutboxEntity];
