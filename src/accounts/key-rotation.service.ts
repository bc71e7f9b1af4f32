import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { attachmentRenames } from '../attachments/attachment-renames';
import { AttachmentsRepository } from '../attachments/attachments.repository';
import { applyContent } from '../ciphers/cipher-content';
import { AuthContext } from '../common/auth/auth-context';
import { ErrorCode } from '../common/errors/error-code';
import { VaultError } from '../common/errors/vault-error';
import { Clock } from '../common/time/clock';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.tokens';
import { UserEntity } from '../db/entities';
import { Tx, UnitOfWork } from '../db/unit-of-work';
import { DevicesService } from '../devices/devices.service';
import { EventBus } from '../event-bus/event-bus.service';
import { AccountRevisionService } from './account-revision.service';
import { AccountsQueryService } from './accounts-query.service';
import { RotateUserAccountKeysDto } from './dto/key-management-request.dto';
import { sameKdf } from './kdf-settings';
import { rotationCoverageProblem, RotationSet } from './key-rotation-coverage';
import { KeyRotationRepository } from './key-rotation.repository';
import { hashMasterPasswordHash, verifyMasterPasswordHash } from './password-hasher';
import { UsersRepository } from './users.repository';

/** bitwarden/server PushNotificationLogOutReason.KeyRotation. */
const LOGOUT_REASON_KEY_ROTATION = 1;

const badRequest = (message: string): VaultError => new VaultError(ErrorCode.BadRequest, message);

/** The ids a rotation request re-keys (organization items are under their organization's key: not part of it). */
export function givenIds(dto: RotateUserAccountKeysDto): RotationSet {
  const unlock = dto.accountUnlockData;
  return {
    cipherIds: dto.accountData.ciphers.filter((c) => !c.organizationId).map((c) => c.id),
    folderIds: dto.accountData.folders.flatMap((f) => (f.id ? [f.id] : [])),
    sendIds: dto.accountData.sends.map((s) => s.id),
    emergencyAccessIds: (unlock.emergencyAccessUnlockData ?? []).map((e) => e.id),
    recoveryOrganizationIds: (unlock.organizationAccountRecoveryUnlockData ?? []).map((r) => r.organizationId),
  };
}

/**
 * The checks a rotation passes before anything is hashed or written: the master password keeps its KDF and salt
 * (a rotation changes the user key, not how the master key is derived) and the key pair stays the same (the
 * organization keys and emergency access grants wrapped to it must stay readable). Returns the new wrapped private key.
 */
export function checkRotationRequest(user: Pick<UserEntity, 'email' | 'kdfType' | 'kdfIterations' | 'kdfMemory' | 'kdfParallelism' | 'publicKey' | 'privateKey'>, dto: RotateUserAccountKeysDto): string | null {
  const unlock = dto.accountUnlockData.masterPasswordUnlockData;
  const requested = { kdfType: unlock.kdfType, iterations: unlock.kdfIterations, memory: unlock.kdfMemory ?? null, parallelism: unlock.kdfParallelism ?? null };
  const current = { kdfType: user.kdfType, iterations: user.kdfIterations, memory: user.kdfMemory, parallelism: user.kdfParallelism };
  if (!sameKdf(requested, current) || unlock.email.toLowerCase() !== user.email) throw badRequest('Changing the kdf variant or email is not supported during key rotation');
  if (unlock.salt !== undefined && unlock.salt !== null && unlock.salt !== user.email) throw badRequest('Invalid master password salt.');
  const keys = dto.accountKeys;
  const publicKey = keys.accountPublicKey ?? keys.publicKeyEncryptionKeyPair?.publicKey ?? null;
  const privateKey = keys.userKeyEncryptedAccountPrivateKey ?? keys.publicKeyEncryptionKeyPair?.wrappedPrivateKey ?? null;
  if (publicKey !== null && publicKey !== user.publicKey) throw badRequest('Changing the asymmetric keypair is not possible during key rotation');
  if (user.privateKey && !privateKey) throw badRequest('The account private key, wrapped by the new user key, is required.');
  return privateKey;
}

/**
 * POST /api/accounts/key-management/rotate-user-account-keys: a new user key (and, when the web vault changes the
 * master password at the same time, the new master password hash and hint). Everything wrapped by the old key is
 * re-keyed in one transaction (personal items and their attachment keys, folders, Sends, emergency access grants,
 * account recovery keys), or nothing is: a rotation that leaves anything out is refused.
 */
@Injectable()
export class KeyRotationService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly users: UsersRepository,
    private readonly queries: AccountsQueryService,
    private readonly repo: KeyRotationRepository,
    private readonly attachments: AttachmentsRepository,
    private readonly accountRevision: AccountRevisionService,
    private readonly devices: DevicesService,
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
    private readonly bus: EventBus,
  ) {}

  /**
   * The password is checked and the new client hash slowly hashed before the transaction; inside it, the coverage
   * check, then every write, the new security stamp, other devices' refresh tokens revoked, and one LogOut (Reason
   * KeyRotation; the acting device stays signed in). Nothing per item or Send is announced.
   */
  async rotate(auth: AuthContext, dto: RotateUserAccountKeysDto): Promise<void> {
    const user = await this.uow.read((db) => this.queries.requireUser(db, auth.userId));
    if (!(await verifyMasterPasswordHash(user, dto.oldMasterKeyAuthenticationHash, { priority: true }))) throw new VaultError(ErrorCode.InvalidPassword);
    checkRotationRequest(user, dto);
    const unlock = dto.accountUnlockData.masterPasswordUnlockData;
    const hint = unlock.masterPasswordHint === undefined ? undefined : unlock.masterPasswordHint?.trim() || null;
    if (hint && !this.config.passwordHints.allowed) throw badRequest('Password hints have been disabled by the administrator. Remove the hint and try again.');
    const password = await hashMasterPasswordHash(unlock.masterKeyAuthenticationHash, this.config.passwordIterations, { priority: true });
    await this.uow.run(async (tx) => {
      const fresh = await this.queries.requireUser(tx.manager, auth.userId);
      const privateKey = checkRotationRequest(fresh, dto);
      const problem = rotationCoverageProblem(await this.repo.heldBy(tx.manager, auth.userId), givenIds(dto));
      if (problem) throw badRequest(problem);
      const now = this.clock.now();
      await this.rekeyData(tx, auth.userId, dto, now);
      Object.assign(fresh, {
        passwordHash: password.hash, passwordSalt: password.salt, passwordIterations: password.iterations,
        userKey: unlock.masterKeyEncryptedUserKey, privateKey: privateKey ?? fresh.privateKey, securityStamp: randomUUID(), updatedDate: now,
      });
      if (hint !== undefined) fresh.passwordHint = hint;
      await this.users.save(tx.manager, fresh);
      await this.accountRevision.bump(tx, [auth.userId], now);
      await this.devices.revokeRefreshTokens(tx, auth.userId, auth.deviceId);
      await this.bus.emit(tx, 'UserLoggedOut', { userId: auth.userId, reason: LOGOUT_REASON_KEY_ROTATION, actor: auth.actor, keepDeviceId: auth.deviceId });
    });
  }

  /** Writes the re-keyed data; every id was checked to be the user's. */
  private async rekeyData(tx: Tx, userId: string, dto: RotateUserAccountKeysDto, now: Date): Promise<void> {
    const db = tx.manager;
    const ciphers = new Map((await this.repo.personalCiphers(db, userId)).map((c) => [c.id.toLowerCase(), c]));
    for (const request of dto.accountData.ciphers) {
      const cipher = request.organizationId ? undefined : ciphers.get(request.id.toLowerCase());
      if (!cipher) continue;
      applyContent(cipher, request);
      cipher.revisionDate = now;
      await this.repo.updateCipherContent(db, userId, cipher);
      await this.attachments.rename(db, cipher.id, attachmentRenames(request));
    }
    for (const folder of dto.accountData.folders) if (folder.id) await this.repo.updateFolderName(db, userId, folder.id.toLowerCase(), folder.name, now);
    for (const send of dto.accountData.sends) await this.repo.updateSendKey(db, userId, send.id.toLowerCase(), send.key, now);
    const unlock = dto.accountUnlockData;
    for (const grant of unlock.emergencyAccessUnlockData ?? []) await this.repo.updateEmergencyAccessKey(db, userId, grant.id.toLowerCase(), grant.keyEncrypted, now);
    for (const recovery of unlock.organizationAccountRecoveryUnlockData ?? []) {
      await this.repo.updateResetPasswordKey(db, userId, recovery.organizationId.toLowerCase(), recovery.resetPasswordKey, now);
    }
  }
}
