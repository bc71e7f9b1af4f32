import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AuthContext } from '../common/auth/auth-context';
import { ErrorCode } from '../common/errors/error-code';
import { VaultError } from '../common/errors/vault-error';
import { Clock } from '../common/time/clock';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.tokens';
import { UnitOfWork } from '../db/unit-of-work';
import { DevicesService } from '../devices/devices.service';
import { EventBus } from '../event-bus/event-bus.service';
import { AccountRevisionService } from './account-revision.service';
import { AccountsQueryService } from './accounts-query.service';
import { ChangeKdfDto, KdfRequestDto } from './dto/key-management-request.dto';
import { kdfProblem, KdfSettings, sameKdf, storedKdf } from './kdf-settings';
import { hashMasterPasswordHash, verifyMasterPasswordHash } from './password-hasher';
import { UsersRepository } from './users.repository';

/** bitwarden/server PushNotificationLogOutReason.KdfChange: the `Reason` of the LogOut the other devices get. */
const LOGOUT_REASON_KDF_CHANGE = 0;

/** What a KDF change writes: the new KDF, the client hash under it, the user key wrapped by the new master key. */
export interface KdfChange {
  kdf: KdfSettings;
  masterPasswordHash: string;
  userKey: string;
}

const badRequest = (message: string): VaultError => new VaultError(ErrorCode.BadRequest, message);
const invalid = (message: string): VaultError => new VaultError(ErrorCode.ValidationFailed, undefined, { validationErrors: { '': [message] } });
const settingsOf = (kdf: KdfRequestDto): KdfSettings => ({ kdfType: kdf.kdfType, iterations: kdf.iterations, memory: kdf.memory ?? null, parallelism: kdf.parallelism ?? null });

/**
 * The change a KDF request asks for, from either shape (authenticationData/unlockData, or the older flat fields),
 * checked as bitwarden/server checks it: the salt is the account's, authentication and unlock agree, the KDF is
 * within the official ranges. `email` is the account's (normalised) address, the salt.
 */
export function resolveKdfChange(dto: ChangeKdfDto, email: string): KdfChange {
  let change: KdfChange;
  if (dto.authenticationData || dto.unlockData) {
    const authentication = dto.authenticationData;
    const unlock = dto.unlockData;
    if (!authentication || !unlock) throw badRequest('AuthenticationData and UnlockData must be provided.');
    const kdf = settingsOf(unlock.kdf);
    const problem = kdfProblem(kdf) ?? kdfProblem(settingsOf(authentication.kdf));
    if (problem) throw invalid(problem);
    if (authentication.salt !== email || unlock.salt !== email) throw badRequest('Invalid master password salt.');
    if (!sameKdf(settingsOf(authentication.kdf), kdf)) throw badRequest('KDF settings must be equal for authentication and unlock.');
    change = { kdf, masterPasswordHash: authentication.masterPasswordAuthenticationHash, userKey: unlock.masterKeyWrappedUserKey };
  } else {
    if (dto.kdf === undefined || dto.kdf === null || dto.kdfIterations === undefined || dto.kdfIterations === null) throw invalid('The Kdf and KdfIterations fields are required.');
    if (!dto.newMasterPasswordHash) throw invalid('The NewMasterPasswordHash field is required.');
    if (!dto.key) throw invalid('The Key field is required.');
    const kdf: KdfSettings = { kdfType: dto.kdf, iterations: dto.kdfIterations, memory: dto.kdfMemory ?? null, parallelism: dto.kdfParallelism ?? null };
    const problem = kdfProblem(kdf);
    if (problem) throw invalid(problem);
    change = { kdf, masterPasswordHash: dto.newMasterPasswordHash, userKey: dto.key };
  }
  return { ...change, kdf: storedKdf(change.kdf) };
}

/** POST /api/accounts/kdf: new KDF settings for the master password (the web vault's Settings → Security → Keys). */
@Injectable()
export class KdfService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly users: UsersRepository,
    private readonly queries: AccountsQueryService,
    private readonly accountRevision: AccountRevisionService,
    private readonly devices: DevicesService,
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
    private readonly bus: EventBus,
  ) {}

  /**
   * New KDF, new server-side hash of the new client hash (computed before the transaction), new wrapped user key,
   * new security stamp. Every other device's session ends (refresh tokens revoked, LogOut with Reason KdfChange);
   * the acting device keeps its refresh token.
   */
  async changeKdf(auth: AuthContext, dto: ChangeKdfDto): Promise<void> {
    const user = await this.uow.read((db) => this.queries.requireUser(db, auth.userId));
    const change = resolveKdfChange(dto, user.email);
    if (!(await verifyMasterPasswordHash(user, dto.masterPasswordHash, { priority: true }))) throw new VaultError(ErrorCode.InvalidPassword);
    const password = await hashMasterPasswordHash(change.masterPasswordHash, this.config.passwordIterations, { priority: true });
    await this.uow.run(async (tx) => {
      const fresh = await this.queries.requireUser(tx.manager, auth.userId);
      const now = this.clock.now();
      Object.assign(fresh, {
        kdfType: change.kdf.kdfType, kdfIterations: change.kdf.iterations, kdfMemory: change.kdf.memory, kdfParallelism: change.kdf.parallelism,
        passwordHash: password.hash, passwordSalt: password.salt, passwordIterations: password.iterations,
        userKey: change.userKey, securityStamp: randomUUID(), updatedDate: now,
      });
      await this.users.save(tx.manager, fresh);
      await this.accountRevision.bump(tx, [auth.userId], now);
      await this.devices.revokeRefreshTokens(tx, auth.userId, auth.deviceId);
      await this.bus.emit(tx, 'UserLoggedOut', { userId: auth.userId, reason: LOGOUT_REASON_KDF_CHANGE, actor: auth.actor, keepDeviceId: auth.deviceId });
    });
  }
}
