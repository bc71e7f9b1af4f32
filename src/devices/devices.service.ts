import { Inject, Injectable } from '@nestjs/common';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { AuthContext } from '../common/auth/auth-context';
import { MOBILE_DEVICE_TYPES } from '../common/auth/device-type';
import { ErrorCode } from '../common/errors/error-code';
import { VaultError } from '../common/errors/vault-error';
import { UnauthenticatedRateLimiter } from '../common/http/unauthenticated-rate-limiter';
import { getLogger } from '../common/logging/logger';
import { ListResponseDto, toListResponse } from '../common/http/list-response';
import { Clock } from '../common/time/clock';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.tokens';
import { DeviceEntity } from '../db/entities';
import { Tx, UnitOfWork } from '../db/unit-of-work';
import { EventBus } from '../event-bus/event-bus.service';
import { DevicesRepository, PushRegistrationPatch } from './devices.repository';
import { DeviceResponseDto } from './dto/device-response.dto';
import { toDeviceResponse } from './dto/device-response.mapper';

export interface LoginDevice {
  identifier: string;
  type: number;
  name: string;
  /** `devicePushToken` of the token request, when a client sends one. */
  pushToken?: string;
}

const NO_REGISTRATION: PushRegistrationPatch = { pushRegistration: null, pushRegistrationError: null, pushRelayUri: null, pushInstallationId: null };
const MOBILE_TYPES = [...MOBILE_DEVICE_TYPES];
const log = getLogger('DevicesService');
const DAY_MS = 86_400_000;

export const hashRefreshToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

/** Devices: the sessions of an account. Refresh tokens are stored hashed, one per device. */
@Injectable()
export class DevicesService {
  constructor(
    private readonly repo: DevicesRepository,
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
    private readonly bus: EventBus,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly unauthenticatedLimiter: UnauthenticatedRateLimiter,
  ) {}

  /**
   * Records a login from `login` (creating or updating the device row) and gives it a new refresh token.
   * Returns the device and the plain refresh token (only its hash is stored).
   */
  async recordLogin(tx: Tx, userId: string, login: LoginDevice, withRefreshToken: boolean): Promise<{ device: DeviceEntity; refreshToken: string | null; isNew: boolean }> {
    const now = this.clock.now();
    let device = await this.repo.findByIdentifierAndUser(tx.manager, login.identifier, userId);
    const isNew = device === null;
    if (!device) {
      device = Object.assign(new DeviceEntity(), {
        id: randomUUID(), userId, identifier: login.identifier, name: login.name, type: login.type, active: true,
        refreshTokenHash: null, refreshTokenLastUsedAt: null, pushToken: null, hubDisconnectedAt: null, creationDate: now, revisionDate: now,
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
      device.refreshTokenLastUsedAt = now;
    }
    await this.repo.save(tx.manager, device);
    return { device, refreshToken, isNew };
  }

  /**
   * The refresh grant's lookup: the device holding this refresh token, when the token is still usable (not
   * revoked, and issued or last used less than REFRESH_TOKEN_IDLE_DAYS ago). Using it slides the window: its
   * last-used time becomes now, in `tx` (a grant that fails afterwards rolls the slide back).
   * A token without a last-used time (written by a version without sliding expiry during a rolling upgrade)
   * counts as used now. Null for an unknown, revoked or idle-expired token.
   */
  async useRefreshToken(tx: Tx, refreshToken: string): Promise<DeviceEntity | null> {
    const device = await this.repo.findByRefreshTokenHash(tx.manager, hashRefreshToken(refreshToken));
    if (!device) return null;
    const now = this.clock.now();
    const lastUsed = device.refreshTokenLastUsedAt;
    if (lastUsed !== null && now.getTime() - lastUsed.getTime() >= this.config.refreshTokenIdleDays * DAY_MS) {
      log.info({ userId: device.userId, deviceId: device.id, lastUsed: lastUsed.toISOString(), idleDays: this.config.refreshTokenIdleDays }, 'auth.refresh_token_idle_expired');
      return null;
    }
    await this.repo.setRefreshTokenLastUsedAt(tx.manager, device.id, now);
    device.refreshTokenLastUsedAt = now;
    return device;
  }

  async list(auth: AuthContext): Promise<ListResponseDto<DeviceResponseDto>> {
    const devices = await this.uow.read((db) => this.repo.findByUser(db, auth.userId));
    return toListResponse(devices.filter((d) => d.active).map(toDeviceResponse));
  }

  async getByIdentifier(auth: AuthContext, identifier: string): Promise<DeviceResponseDto> {
    const device = await this.uow.read((db) => this.repo.findByIdentifierAndUser(db, identifier, auth.userId));
    if (!device || !device.active) throw new VaultError(ErrorCode.DeviceNotFound);
    return toDeviceResponse(device);
  }

  /** Ends one device's session: refresh token revoked, device gone; its sockets get LogOut and close. */
  async deactivate(auth: AuthContext, id: string): Promise<void> {
    await this.uow.run(async (tx) => {
      const device = await this.repo.findByIdAndUser(tx.manager, id, auth.userId);
      if (!device) throw new VaultError(ErrorCode.DeviceNotFound);
      if (device.pushToken !== null) await this.emitPushTokenCleared(tx, device, 'device-removed');
      await this.repo.deleteByIdAndUser(tx.manager, device.id, auth.userId);
      await this.bus.emit(tx, 'DeviceRemoved', { userId: auth.userId, deviceId: device.id, deviceIdentifier: device.identifier, actor: auth.actor });
    });
  }

  /**
   * All devices of a user removed (security-stamp reset, account deletion). Each device with a push token is
   * announced first (its relay registration is deleted). Emit UserLoggedOut before calling this, so that the
   * LogOut push is queued ahead of the unregistrations.
   */
  async removeAll(tx: Tx, userId: string): Promise<void> {
    for (const device of await this.repo.findWithPushToken(tx.manager, userId, MOBILE_TYPES)) {
      await this.emitPushTokenCleared(tx, device, 'sessions-ended');
    }
    await this.repo.deleteByUser(tx.manager, userId);
  }

  /**
   * PUT /api/devices/identifier/{identifier}/token: the device is looked up by identifier and the caller's
   * account. A new token is stored and registered with the relay; the same token again only re-registers a
   * device whose registration is missing, failed or made against another relay or installation.
   */
  async updatePushToken(auth: AuthContext, identifier: string, pushToken: string): Promise<void> {
    await this.uow.run(async (tx) => {
      const device = await this.repo.findByIdentifierAndUser(tx.manager, identifier.toLowerCase(), auth.userId);
      if (!device || !device.active) throw new VaultError(ErrorCode.DeviceNotFound);
      await this.applyPushToken(tx, device, pushToken);
    });
  }

  /**
   * PUT /api/devices/identifier/{identifier}/clear-token (no authentication; apps call it while signing out):
   * clears the push token of the devices with that identifier and unregisters them at the relay. Rate-limited
   * per client IP; silent when the device is unknown.
   */
  async clearPushToken(identifier: string, ip: string): Promise<void> {
    const wait = this.unauthenticatedLimiter.hit(ip, 'clear-token');
    if (wait > 0) throw new VaultError(ErrorCode.TooManyRequests, undefined, { headers: { 'Retry-After': String(wait) } });
    if (identifier.length === 0 || identifier.length > 64) return;
    await this.uow.run(async (tx) => {
      for (const device of await this.repo.findActiveByIdentifier(tx.manager, identifier.toLowerCase())) {
        if (device.pushToken === null) continue;
        await this.repo.setPushToken(tx.manager, device.id, null, this.clock.now(), NO_REGISTRATION);
        await this.emitPushTokenCleared(tx, device, 'cleared');
      }
    });
  }

  /**
   * After a login or token refresh: stores a `devicePushToken` sent with it, and queues re-registration of a
   * mobile device whose relay registration is not current. Never fails the login: problems are logged.
   */
  async syncPushAtLogin(device: DeviceEntity, pushToken: string | undefined): Promise<void> {
    const tokenChanged = pushToken !== undefined && pushToken !== '' && pushToken !== device.pushToken;
    const mayNeedRegistration = this.config.push.enabled && device.pushToken !== null && MOBILE_DEVICE_TYPES.has(device.type);
    if (!tokenChanged && !mayNeedRegistration) return;
    try {
      await this.uow.run(async (tx) => {
        const fresh = await this.repo.findByIdAndUser(tx.manager, device.id, device.userId);
        const token = tokenChanged ? pushToken : fresh?.pushToken;
        if (fresh && token) await this.applyPushToken(tx, fresh, token);
      });
    } catch (error) {
      log.warn({ userId: device.userId, deviceId: device.id, err: error instanceof Error ? error.message : String(error) }, 'push.login_registration_failed');
    }
  }

  /**
   * Stores a new token (voiding any registration of the old one) and emits DevicePushTokenSet; for an unchanged
   * token of a mobile device the event still goes out, and the push module re-registers it if its registration
   * is not current (that bookkeeping is the push module's).
   */
  private async applyPushToken(tx: Tx, device: DeviceEntity, pushToken: string): Promise<void> {
    const tokenChanged = device.pushToken !== pushToken;
    if (!tokenChanged && !(this.config.push.enabled && MOBILE_DEVICE_TYPES.has(device.type))) return;
    if (tokenChanged) {
      await this.repo.setPushToken(tx.manager, device.id, pushToken, this.clock.now(), NO_REGISTRATION);
      device.pushToken = pushToken;
    }
    await this.bus.emit(tx, 'DevicePushTokenSet', { userId: device.userId, deviceId: device.id, deviceIdentifier: device.identifier, deviceType: device.type, tokenChanged });
  }

  private emitPushTokenCleared(tx: Tx, device: DeviceEntity, reason: 'cleared' | 'device-removed' | 'sessions-ended'): Promise<void> {
    return this.bus.emit(tx, 'DevicePushTokenCleared', { userId: device.userId, deviceId: device.id, deviceIdentifier: device.identifier, deviceType: device.type, reason });
  }

  /** Refresh tokens of every device but `keepDeviceId` revoked (password change ends the other sessions). */
  async revokeRefreshTokens(tx: Tx, userId: string, keepDeviceId: string | null): Promise<void> {
    await this.repo.revokeRefreshTokens(tx.manager, userId, keepDeviceId);
  }

  /** Whether the account has logged in from this device identifier before (its devices skip the account-wide login back-off). */
  async isKnownDevice(db: EntityManager, userId: string, identifier: string): Promise<boolean> {
    return (await this.repo.findByIdentifierAndUser(db, identifier.toLowerCase(), userId)) !== null;
  }
}
