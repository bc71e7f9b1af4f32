import { Injectable } from '@nestjs/common';
import { EntityManager, IsNull, Not } from 'typeorm';
import { CipherEntity, EmergencyAccessEntity, FolderEntity, MembershipEntity, SendEntity } from '../db/entities';
import { RotationSet } from './key-rotation-coverage';

/**
 * The SQL of a user key rotation: what the user holds under the user key, and the re-keyed values written back.
 * Every write is scoped by the owner as well as the id, so a row of someone else is never touched. Called inside
 * the rotation's one transaction.
 */
@Injectable()
export class KeyRotationRepository {
  /** Everything the rotation must re-key. */
  async heldBy(db: EntityManager, userId: string): Promise<RotationSet> {
    const ids = (rows: Array<{ id: string }>): string[] => rows.map((row) => row.id);
    // One query after another: the transaction holds one connection.
    const cipherIds = ids(await db.getRepository(CipherEntity).find({ select: { id: true }, where: { userId, organizationId: IsNull() } }));
    const folderIds = ids(await db.getRepository(FolderEntity).find({ select: { id: true }, where: { userId } }));
    const sendIds = ids(await db.getRepository(SendEntity).find({ select: { id: true }, where: { userId } }));
    const emergencyAccessIds = ids(await db.getRepository(EmergencyAccessEntity).find({ select: { id: true }, where: { grantorId: userId, keyEncrypted: Not(IsNull()) } }));
    const memberships = await db.getRepository(MembershipEntity).find({ select: { organizationId: true }, where: { userId, resetPasswordKey: Not(IsNull()) } });
    return { cipherIds, folderIds, sendIds, emergencyAccessIds, recoveryOrganizationIds: memberships.map((m) => m.organizationId) };
  }

  /** The user's personal items, in the trash too. */
  personalCiphers(db: EntityManager, userId: string): Promise<CipherEntity[]> {
    return db.getRepository(CipherEntity).find({ where: { userId, organizationId: IsNull() } });
  }

  /** Writes the re-encrypted content of a personal item and its revision date. */
  async updateCipherContent(db: EntityManager, userId: string, cipher: CipherEntity): Promise<void> {
    await db.getRepository(CipherEntity).update({ id: cipher.id, userId, organizationId: IsNull() }, {
      type: cipher.type, name: cipher.name, notes: cipher.notes, key: cipher.key, reprompt: cipher.reprompt, data: cipher.data,
      fields: cipher.fields, passwordHistory: cipher.passwordHistory, revisionDate: cipher.revisionDate,
    });
  }

  async updateFolderName(db: EntityManager, userId: string, folderId: string, name: string, now: Date): Promise<void> {
    await db.getRepository(FolderEntity).update({ id: folderId, userId }, { name, revisionDate: now });
  }

  async updateSendKey(db: EntityManager, userId: string, sendId: string, key: string, now: Date): Promise<void> {
    await db.getRepository(SendEntity).update({ id: sendId, userId }, { key, revisionDate: now });
  }

  /** The grantee's copy of the grantor's user key (emergency_access.key_encrypted). */
  async updateEmergencyAccessKey(db: EntityManager, grantorId: string, id: string, keyEncrypted: string, now: Date): Promise<void> {
    await db.getRepository(EmergencyAccessEntity).update({ id, grantorId }, { keyEncrypted, revisionDate: now });
  }

  /** The organization's account recovery copy of the member's user key. */
  async updateResetPasswordKey(db: EntityManager, userId: string, organizationId: string, resetPasswordKey: string, now: Date): Promise<void> {
    await db.getRepository(MembershipEntity).update({ organizationId, userId }, { resetPasswordKey, revisionDate: now });
  }
}
