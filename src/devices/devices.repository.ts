import { Injectable } from '@nestjs/common';
import { EntityManager, In, IsNull, Not } from 'typeorm';
import { DeviceEntity } from '../db/entities';
import { PushRegistrationState } from '../db/entities/device.entity';

/** What a device's relay registration columns are set to when its token changes (a new token voids the registration). */
export interface PushRegistrationPatch {
  pushRegistration?: PushRegistrationState | null;
  pushRegistrationError?: string | null;
  pushRelayUri?: string | null;
  pushInstallationId?: string | null;
  pushLastSuccessAt?: Date | null;
}

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

  /** Slides a refresh token's idle window; a token revoked meanwhile stays revoked (only its row's time moves). */
  async setRefreshTokenLastUsedAt(db: EntityManager, id: string, at: Date): Promise<void> {
    await db.getRepository(DeviceEntity).update({ id, refreshTokenHash: Not(IsNull()) }, { refreshTokenLastUsedAt: at });
  }

  async revokeRefreshTokens(db: EntityManager, userId: string, keepDeviceId: string | null): Promise<void> {
    const query = db.createQueryBuilder().update(DeviceEntity).set({ refreshTokenHash: null }).where('user_id = :userId', { userId });
    if (keepDeviceId) query.andWhere('id <> :keepDeviceId', { keepDeviceId });
    await query.execute();
  }

  /** Active devices with this identifier, across accounts (the same app install may hold several). */
  findActiveByIdentifier(db: EntityManager, identifier: string): Promise<DeviceEntity[]> {
    return db.getRepository(DeviceEntity).find({ where: { identifier, active: true } });
  }

  findById(db: EntityManager, id: string): Promise<DeviceEntity | null> {
    return db.getRepository(DeviceEntity).findOne({ where: { id } });
  }

  /** Devices of the user of the given types that hold a push token. */
  findWithPushToken(db: EntityManager, userId: string, types: number[]): Promise<DeviceEntity[]> {
    return db.getRepository(DeviceEntity).find({ where: { userId, pushToken: Not(IsNull()), type: In(types) }, order: { creationDate: 'ASC' } });
  }

  async setPushToken(db: EntityManager, id: string, pushToken: string | null, revisionDate: Date, patch: PushRegistrationPatch = {}): Promise<void> {
    await db.getRepository(DeviceEntity).update({ id }, { pushToken, revisionDate, ...patch });
  }
}
