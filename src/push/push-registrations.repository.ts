import { Inject, Injectable } from '@nestjs/common';
import { EntityManager, In, IsNull, Not } from 'typeorm';
import { MOBILE_DEVICE_TYPES } from '../common/auth/device-type';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.tokens';
import { DeviceEntity } from '../db/entities';
import { PushRegistrationState } from '../db/entities/device.entity';

/** A device as the push module needs it to register it with the relay. */
export interface PushDevice { id: string; userId: string; identifier: string; type: number; pushToken: string }

interface RegistrationPatch {
  pushRegistration?: PushRegistrationState | null;
  pushRegistrationError?: string | null;
  pushRelayUri?: string | null;
  pushInstallationId?: string | null;
  pushLastSuccessAt?: Date | null;
}

const MOBILE_TYPES = [...MOBILE_DEVICE_TYPES];

/**
 * The push module's own bookkeeping of relay registrations, kept in the device rows' push_* columns: which
 * mobile devices are queued or registered at which relay and installation. The devices feature owns the rows
 * and the push token; this repository is the only code that reads or writes the registration state.
 */
@Injectable()
export class PushRegistrationsRepository {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** The device to register, when it is an active mobile device that holds a push token. */
  async pushDevice(db: EntityManager, deviceId: string): Promise<PushDevice | null> {
    const device = await db.getRepository(DeviceEntity).findOne({ where: { id: deviceId } });
    if (!device || !device.active || device.pushToken === null || !MOBILE_DEVICE_TYPES.has(device.type)) return null;
    return { id: device.id, userId: device.userId, identifier: device.identifier, type: device.type, pushToken: device.pushToken };
  }

  /** Whether relay sends to this user can reach anyone: a mobile device registered (or queued) at the current relay. */
  async hasCurrentRegistration(db: EntityManager, userId: string): Promise<boolean> {
    const { enabled, relayUri, installationId } = this.config.push;
    if (!enabled || installationId === null) return false;
    const count = await db.getRepository(DeviceEntity).count({
      where: {
        userId, active: true, pushToken: Not(IsNull()), type: In(MOBILE_TYPES),
        pushRegistration: In(['pending', 'registered']), pushRelayUri: relayUri, pushInstallationId: installationId,
      },
    });
    return count > 0;
  }

  /** Of `userIds`, those whom relay sends can reach (as hasCurrentRegistration), in one query per 200 users. */
  async usersWithCurrentRegistration(db: EntityManager, userIds: string[]): Promise<Set<string>> {
    const { enabled, relayUri, installationId } = this.config.push;
    const found = new Set<string>();
    if (!enabled || installationId === null) return found;
    const unique = [...new Set(userIds)];
    for (let i = 0; i < unique.length; i += 200) {
      const rows = await db.getRepository(DeviceEntity).createQueryBuilder('d')
        .select('DISTINCT d.user_id', 'user_id')
        .where({
          userId: In(unique.slice(i, i + 200)), active: true, pushToken: Not(IsNull()), type: In(MOBILE_TYPES),
          pushRegistration: In(['pending', 'registered']), pushRelayUri: relayUri, pushInstallationId: installationId,
        })
        .getRawMany<{ user_id: string }>();
      for (const row of rows) found.add(row.user_id);
    }
    return found;
  }

  /** Whether the device holds a token that is not queued or registered at the current relay and installation. */
  async needsRegistration(db: EntityManager, deviceId: string): Promise<boolean> {
    const device = await db.getRepository(DeviceEntity).findOne({ where: { id: deviceId } });
    const push = this.config.push;
    if (!device || !device.active || device.pushToken === null || !MOBILE_DEVICE_TYPES.has(device.type)) return false;
    const queuedOrDone = device.pushRegistration === 'pending' || device.pushRegistration === 'registered';
    return !(queuedOrDone && device.pushRelayUri === push.relayUri && device.pushInstallationId === push.installationId);
  }

  /** A register was queued for the device against the current relay and installation. */
  markQueued(db: EntityManager, deviceId: string): Promise<void> {
    return this.patch(db, deviceId, {
      pushRegistration: 'pending', pushRegistrationError: null, pushRelayUri: this.config.push.relayUri, pushInstallationId: this.config.push.installationId,
    });
  }

  recordRegistered(db: EntityManager, deviceId: string, at: Date): Promise<void> {
    return this.patch(db, deviceId, { pushRegistration: 'registered', pushRegistrationError: null, pushLastSuccessAt: at }, true);
  }

  recordFailed(db: EntityManager, deviceId: string, reason: string): Promise<void> {
    return this.patch(db, deviceId, { pushRegistration: 'failed', pushRegistrationError: reason.slice(0, 1000) }, true);
  }

  recordUnregistered(db: EntityManager, deviceId: string, at: Date): Promise<void> {
    return this.patch(db, deviceId, { pushLastSuccessAt: at });
  }

  /** `onlyWithToken` leaves a device alone whose token was cleared meanwhile. */
  private async patch(db: EntityManager, id: string, patch: RegistrationPatch, onlyWithToken = false): Promise<void> {
    await db.getRepository(DeviceEntity).update(onlyWithToken ? { id, pushToken: Not(IsNull()) } : { id }, patch);
  }
}
