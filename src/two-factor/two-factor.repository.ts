import { Injectable } from '@nestjs/common';
import { EntityManager, In, LessThan, MoreThanOrEqual } from 'typeorm';
import { storedTimestamp } from '../db/columns';
import { TwoFactorEntity, TwoFactorIncompleteEntity, TwoFactorRememberEntity, UserEntity } from '../db/entities';
import { rawQuery } from '../db/raw-sql';
import { FIRST_STATE_TYPE } from './two-factor-types';

/** A remember token of one device of a user, found by the device identifier the login sends. */
export interface RememberRow { deviceId: string; tokenHash: string; securityStamp: string; expiresAt: Date }

interface RememberSqlRow { device_id: string; token_hash: string; security_stamp: string; expires_at: string }

/**
 * The remember token of the user's device with this identifier: one indexed lookup of the device
 * (uq_devices_user_identifier), then its token by primary key.
 */
const REMEMBER_BY_DEVICE = `SELECT r.device_id AS device_id, r.token_hash AS token_hash, r.security_stamp AS security_stamp, r.expires_at AS expires_at
  FROM devices d JOIN two_factor_remember r ON r.device_id = d.id
  WHERE d.user_id = $1 AND d.identifier = $2`;

/** All SQL of two-step login: providers and pending challenges, the recovery code, remember tokens, incomplete logins. */
@Injectable()
export class TwoFactorRepository {
  /** The user's providers (pending challenges excluded), by type. */
  providers(db: EntityManager, userId: string): Promise<TwoFactorEntity[]> {
    return db.getRepository(TwoFactorEntity).find({ where: { userId, type: LessThan(FIRST_STATE_TYPE) }, order: { type: 'ASC' } });
  }

  find(db: EntityManager, userId: string, type: number): Promise<TwoFactorEntity | null> {
    return db.getRepository(TwoFactorEntity).findOne({ where: { userId, type } });
  }

  /** Inserts or replaces the user's row of this type. */
  async save(db: EntityManager, row: TwoFactorEntity): Promise<void> {
    const repo = db.getRepository(TwoFactorEntity);
    if (await repo.exists({ where: { userId: row.userId, type: row.type } })) {
      await repo.update({ userId: row.userId, type: row.type }, { enabled: row.enabled, data: row.data, lastUsedStep: row.lastUsedStep, revisionDate: row.revisionDate });
    } else {
      await repo.insert(row);
    }
  }

  async delete(db: EntityManager, userId: string, type: number): Promise<boolean> {
    const result = await db.getRepository(TwoFactorEntity).delete({ userId, type });
    return (result.affected ?? 0) > 0;
  }

  /**
   * Takes a pending state row (a challenge) away: returns it and deletes it, so one challenge answers at most
   * one response. Null when there is none.
   */
  async take(db: EntityManager, userId: string, type: number): Promise<TwoFactorEntity | null> {
    const row = await this.find(db, userId, type);
    if (!row) return null;
    const result = await db.getRepository(TwoFactorEntity).delete({ userId, type });
    return (result.affected ?? 0) > 0 ? row : null;
  }

  /** Every row of the user, providers and pending state (recovery). */
  async deleteAll(db: EntityManager, userId: string): Promise<void> {
    await db.getRepository(TwoFactorEntity).delete({ userId });
  }

  /**
   * Records `step` as the last TOTP step used, only if it is newer than the one stored: false when another
   * login used this step (or a newer one) first, so two requests with one code cannot both pass.
   */
  async advanceLastUsedStep(db: EntityManager, userId: string, type: number, step: number): Promise<boolean> {
    const result = await db.getRepository(TwoFactorEntity).createQueryBuilder()
      .update().set({ lastUsedStep: step })
      .where('user_id = :userId AND type = :type AND last_used_step < :step', { userId, type, step })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  /** Whether the user has an enabled provider (the port TwoFactorStatus answers with this). */
  async anyEnabled(db: EntityManager, userId: string): Promise<boolean> {
    return db.getRepository(TwoFactorEntity).exists({ where: { userId, enabled: true, type: LessThan(FIRST_STATE_TYPE) } });
  }

  /** The users among `userIds` with an enabled provider: one query (per thousand ids), whatever the number of users. */
  async enabledAmong(db: EntityManager, userIds: string[]): Promise<Set<string>> {
    const unique = [...new Set(userIds)];
    const enabled = new Set<string>();
    for (let i = 0; i < unique.length; i += 1000) {
      const rows = await db.getRepository(TwoFactorEntity).find({
        select: { userId: true }, where: { userId: In(unique.slice(i, i + 1000)), enabled: true, type: LessThan(FIRST_STATE_TYPE) },
      });
      for (const row of rows) enabled.add(row.userId);
    }
    return enabled;
  }

  // --- recovery code (on the user) ---

  async recoveryCode(db: EntityManager, userId: string): Promise<string | null> {
    const user = await db.getRepository(UserEntity).findOne({ select: { id: true, twoFactorRecoveryCode: true }, where: { id: userId } });
    return user?.twoFactorRecoveryCode ?? null;
  }

  async setRecoveryCode(db: EntityManager, userId: string, code: string | null): Promise<void> {
    await db.getRepository(UserEntity).update({ id: userId }, { twoFactorRecoveryCode: code });
  }

  // --- remember this device ---

  async rememberOf(db: EntityManager, userId: string, deviceIdentifier: string): Promise<RememberRow | null> {
    const [row] = await rawQuery<RememberSqlRow>(db, REMEMBER_BY_DEVICE, [userId, deviceIdentifier]);
    if (!row) return null;
    return { deviceId: String(row.device_id), tokenHash: String(row.token_hash), securityStamp: String(row.security_stamp), expiresAt: new Date(String(row.expires_at)) };
  }

  /** The device's remember token, replacing any earlier one. */
  async saveRemember(db: EntityManager, row: TwoFactorRememberEntity): Promise<void> {
    const repo = db.getRepository(TwoFactorRememberEntity);
    await repo.delete({ deviceId: row.deviceId });
    await repo.insert(row);
  }

  async deleteRemember(db: EntityManager, deviceId: string): Promise<void> {
    await db.getRepository(TwoFactorRememberEntity).delete({ deviceId });
  }

  /** Every remember token of the user (two-step login changed, sessions ended). */
  async deleteRememberOfUser(db: EntityManager, userId: string): Promise<void> {
    await db.getRepository(TwoFactorRememberEntity).delete({ userId });
  }

  // --- incomplete two-step logins ---

  /** Records a login waiting for its second factor, unless one from this device is already waiting (its time is kept). */
  async markIncomplete(db: EntityManager, row: TwoFactorIncompleteEntity): Promise<void> {
    const repo = db.getRepository(TwoFactorIncompleteEntity);
    if (await repo.exists({ where: { userId: row.userId, deviceIdentifier: row.deviceIdentifier } })) return;
    await repo.insert(row);
  }

  async markComplete(db: EntityManager, userId: string, deviceIdentifier: string): Promise<void> {
    await db.getRepository(TwoFactorIncompleteEntity).delete({ userId, deviceIdentifier });
  }

  /** Incomplete logins started before `before`, oldest first, at most `limit`. */
  incompleteBefore(db: EntityManager, before: Date, limit: number): Promise<TwoFactorIncompleteEntity[]> {
    return db.getRepository(TwoFactorIncompleteEntity).find({ where: { loginTime: LessThan(storedTimestamp(before) as unknown as Date) }, order: { loginTime: 'ASC' }, take: limit });
  }

  /** Incomplete logins of the user, oldest first (tests, diagnostics). */
  incompleteOf(db: EntityManager, userId: string): Promise<TwoFactorIncompleteEntity[]> {
    return db.getRepository(TwoFactorIncompleteEntity).find({ where: { userId }, order: { loginTime: 'ASC' } });
  }

  /** Removes one reported incomplete login. */
  async deleteIncomplete(db: EntityManager, row: TwoFactorIncompleteEntity): Promise<void> {
    await db.getRepository(TwoFactorIncompleteEntity).delete({ userId: row.userId, deviceIdentifier: row.deviceIdentifier });
  }

  /** Remember tokens still valid at `now` (tests). */
  rememberCount(db: EntityManager, userId: string, now: Date): Promise<number> {
    return db.getRepository(TwoFactorRememberEntity).count({ where: { userId, expiresAt: MoreThanOrEqual(storedTimestamp(now) as unknown as Date) } });
  }
}
