import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { DeviceEntity } from '../db/entities';

/**
 * The hub's own bookkeeping for catch-up (notifications.md §7.6): when each device's last hub connection
 * ended, kept in the device row's hub_disconnected_at column. The only code that reads or writes it.
 */
@Injectable()
export class HubPresenceRepository {
  async disconnectedAt(db: EntityManager, userId: string, deviceIdentifier: string): Promise<Date | null> {
    const device = await db.getRepository(DeviceEntity).findOne({ where: { userId, identifier: deviceIdentifier }, select: { id: true, hubDisconnectedAt: true } });
    return device?.hubDisconnectedAt ?? null;
  }

  async recordDisconnect(db: EntityManager, deviceId: string, at: Date): Promise<void> {
    await db.getRepository(DeviceEntity).update({ id: deviceId }, { hubDisconnectedAt: at });
  }
}
