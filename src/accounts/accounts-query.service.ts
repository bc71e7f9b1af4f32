import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ErrorCode } from '../common/errors/error-code';
import { VaultError } from '../common/errors/vault-error';
import { UserEntity } from '../db/entities';
import { MailService } from '../mail/mail.service';
import { ProfileResponseDto, UserDecryptionResponseDto } from './dto/account-response.dto';
import { toProfileResponse, toUserDecryptionResponse } from './dto/account-response.mapper';
import { normalizeEmail } from './email';
import { TwoFactorStatus } from './two-factor-status';
import { UsersRepository } from './users.repository';

/** Read-side of accounts that other features compose (sync, hub catch-up). */
@Injectable()
export class AccountsQueryService {
  constructor(private readonly users: UsersRepository, private readonly twoFactor: TwoFactorStatus, private readonly mail: MailService) {}

  async requireUser(db: EntityManager, userId: string): Promise<UserEntity> {
    const user = await this.users.findById(db, userId);
    if (!user) throw new VaultError(ErrorCode.UserNotFound);
    return user;
  }

  findByEmail(db: EntityManager, email: string): Promise<UserEntity | null> {
    return this.users.findByEmail(db, normalizeEmail(email));
  }

  findById(db: EntityManager, id: string): Promise<UserEntity | null> {
    return this.users.findById(db, id);
  }

  /** `profile` and `userDecryption` of GET /api/sync from one read of the user row. */
  async syncParts(db: EntityManager, userId: string): Promise<{ profile: ProfileResponseDto; userDecryption: UserDecryptionResponseDto }> {
    const user = await this.requireUser(db, userId);
    return { profile: toProfileResponse(user, await this.twoFactorEnabled(db, userId), this.mail.enabled), userDecryption: toUserDecryptionResponse(user) };
  }

  /** Whether the user has two-step login on (the profile's `twoFactorEnabled`). */
  twoFactorEnabled(db: EntityManager, userId: string): Promise<boolean> {
    return this.twoFactor.isEnabled(db, userId);
  }
}
