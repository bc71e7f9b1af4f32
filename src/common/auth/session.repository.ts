import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { DeviceEntity, UserEntity } from '../../db/entities';

export interface SessionRow {
  user: Pick<UserEntity, 'id' | 'email' | 'enabled' | 'securityStamp'>;
  device: Pick<DeviceEntity, 'id' | 'identifier' | 'type' | 'active'> | null;
}

/** The rows that decide whether a token's session still holds. */
@Injectable()
export class SessionRepository {
  async findSession(db: EntityManager, userId: string, deviceIdentifier: string): Promise<SessionRow | null> {
    const user = await db.getRepository(UserEntity).findOne({ where: { id: userId }, select: { id: true, email: true, enabled: true, securityStamp: true } });
    if (!user) return null;
    const device = await db.getRepository(DeviceEntity).findOne({ where: { userId, identifier: deviceIdentifier }, select: { id: true, identifier: true, type: true, active: true } });
    return { user, device };
  }
}
