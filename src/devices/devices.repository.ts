import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { DeviceEntity } from '../db/entities';

/** All SQL on devices; every lookup is scoped by user except the refresh-token lookup. */
@Injectable()
export class DevicesRepository {
  findByUser(db: EntityManager, userId: string): Promise<DeviceEntity[]> {
    return db.getRepository(DeviceEntity).find({ where: { userId }, order: { creationDate: 'ASC' } });
  }

  findByIdentifierAndUser(db: EntityManager, identifier: string, userId: string): Promise<DeviceEntity | null> {
    return db.getRepository(DeviceEntity).findOne({ where: { identifier, userId } });
  }

  findByIdAndUser(db: EntityManager, id: string, userId: string): Promise<DeviceEntity | null> {
    return db.getRepository(DeviceEntity).findOne({ where: { id, userId } });
  }

  findByRefreshTokenHash(db: EntityManager, refreshTokenHash: string): Promise<DeviceEntity | null> {
    return db.getRepository(DeviceEntity).findOne({ where: { refreshTokenHash, active: true } });
  }

  async save(db: EntityManager, device: DeviceEntity): Promise<void> {
    await db.getRepository(DeviceEntity).save(device);
  }

  async deleteByUser(db: EntityManager, userId: string): Promise<void> {
    await db.getRepository(DeviceEntity).delete({ userId });
  }

  async deleteByIdAndUser(db: EntityManager, id: string, userId: string): Promise<void> {
    await db.getRepository(DeviceEntity).delete({ id, userId });
  }

  async revokeRefreshTokens(db: EntityManager, userId: string, keepDeviceId: string | null): Promise<void> {
    const query = db.createQueryBuilder().update(DeviceEntity).set({ refreshTokenHash: null }).where('user_id = :userId', { userId });
    if (keepDeviceId) query.andWhere('id <> :keepDeviceId', { keepDeviceId });
    await query.execute();
  }

  async setHubDisconnectedAt(db: EntityManager, id: string, at: Date): Promise<void> {
    await db.getRepository(DeviceEntity).update({ id }, { hubDisconnectedAt: at });
  }
}
