import { Injectable } from '@nestjs/common';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { AuthContext } from '../common/auth/auth-context';
import { ErrorCode } from '../common/errors/error-code';
import { VaultError } from '../common/errors/vault-error';
import { Clock } from '../common/time/clock';
import { DeviceEntity } from '../db/entities';
import { Tx, UnitOfWork } from '../db/unit-of-work';
import { EventBus } from '../event-bus/event-bus.service';
import { DevicesRepository } from './devices.repository';
import { toDeviceResponse } from './dto/device-response.mapper';

export interface LoginDevice { identifier: string; type: number; name: string }

export const hashRefreshToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

/** Devices: the sessions of an account. Refresh tokens are stored hashed, one per device. */
@Injectable()
export class DevicesService {
  constructor(private readonly repo: DevicesRepository, private readonly uow: UnitOfWork, private readonly clock: Clock, private readonly bus: EventBus) {}

  /**
   * Records a login from `login` (creating or updating the device row) and gives it a new refresh token.
   * Returns the device and the plain refresh token (only its hash is stored).
   */
  async recordLogin(tx: Tx, userId: string, login: LoginDevice, withRefreshToken: boolean): Promise<{ device: DeviceEntity; refreshToken: string | null }> {
    const now = this.clock.now();
    let device = await this.repo.findByIdentifierAndUser(tx.manager, login.identifier, userId);
    if (!device) {
      device = Object.assign(new DeviceEntity(), {
        id: randomUUID(), userId, identifier: login.identifier, name: login.name, type: login.type, active: true,
        refreshTokenHash: null, pushToken: null, hubDisconnectedAt: null, creationDate: now, revisionDate: now,
      });
    }
    device.name = login.name;
    device.type = login.type;
    device.active = true;
    device.revisionDate = now;
    let refreshToken: string | null = null;
    if (withRefreshToken) {
      refreshToken = randomBytes(64).toString('base64url');
      device.refreshTokenHash = hashRefreshToken(refreshToken);
    }
    await this.repo.save(tx.manager, device);
    return { device, refreshToken };
  }

  findByRefreshToken(db: EntityManager, refreshToken: string): Promise<DeviceEntity | null> {
    return this.repo.findByRefreshTokenHash(db, hashRefreshToken(refreshToken));
  }

  async list(auth: AuthContext): Promise<Record<string, unknown>> {
    const devices = await this.uow.read((db) => this.repo.findByUser(db, auth.userId));
    return { data: devices.filter((d) => d.active).map(toDeviceResponse), object: 'list', continuationToken: null };
  }

  async getByIdentifier(auth: AuthContext, identifier: string): Promise<Record<string, unknown>> {
    const device = await this.uow.read((db) => this.repo.findByIdentifierAndUser(db, identifier, auth.userId));
    if (!device || !device.active) throw new VaultError(ErrorCode.DeviceNotFound);
    return toDeviceResponse(device);
  }

  /** Ends one device's session: refresh token revoked, device gone; its sockets get LogOut and close. */
  async deactivate(auth: AuthContext, id: string): Promise<void> {
    await this.uow.run(async (tx) => {
      const device = await this.repo.findByIdAndUser(tx.manager, id, auth.userId);
      if (!device) throw new VaultError(ErrorCode.DeviceNotFound);
      await this.repo.deleteByIdAndUser(tx.manager, device.id, auth.userId);
      await this.bus.emit(tx, 'DeviceRemoved', { userId: auth.userId, deviceId: device.id, deviceIdentifier: device.identifier, actor: auth.actor });
    });
  }

  /** All devices of a user removed (security-stamp reset, account deletion). */
  async removeAll(tx: Tx, userId: string): Promise<void> {
    await this.repo.deleteByUser(tx.manager, userId);
  }

  /** Refresh tokens of every device but `keepDeviceId` revoked (password change ends the other sessions). */
  async revokeRefreshTokens(tx: Tx, userId: string, keepDeviceId: string | null): Promise<void> {
    await this.repo.revokeRefreshTokens(tx.manager, userId, keepDeviceId);
  }

  /** Catch-up bookkeeping of the hub: when did this device's last connection end? */
  async hubDisconnectedAt(db: EntityManager, userId: string, deviceIdentifier: string): Promise<Date | null> {
    const device = await this.repo.findByIdentifierAndUser(db, deviceIdentifier, userId);
    return device?.hubDisconnectedAt ?? null;
  }

  async recordHubDisconnect(deviceId: string, at: Date): Promise<void> {
    await this.uow.run((tx) => this.repo.setHubDisconnectedAt(tx.manager, deviceId, at));
  }
}
