import { Injectable } from '@nestjs/common';
import { SessionRow, SessionSource } from '../common/auth/session-source';
import { DeviceEntity, UserEntity } from '../db/entities';
import { UnitOfWork } from '../db/unit-of-work';

/** The rows that decide whether a token's session still holds (the SessionSource port of common/auth). */
@Injectable()
export class SessionRepository extends SessionSource {
  constructor(private readonly uow: UnitOfWork) {
    super();
  }

  findSession(userId: string, deviceIdentifier: string): Promise<SessionRow | null> {
    return this.uow.read(async (db) => {
      const user = await db.getRepository(UserEntity).findOne({ where: { id: userId }, select: { id: true, email: true, enabled: true, securityStamp: true } });
      if (!user) return null;
      const device = await db.getRepository(DeviceEntity).findOne({ where: { userId, identifier: deviceIdentifier }, select: { id: true, identifier: true, type: true, active: true } });
      return { user, device };
    });
  }
}
