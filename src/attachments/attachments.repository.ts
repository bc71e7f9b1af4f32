import { Injectable } from '@nestjs/common';
import { EntityManager, In } from 'typeorm';
import { storedTimestamp } from '../db/columns';
import { AttachmentEntity, CipherEntity } from '../db/entities';
import { rawQuery, sqlBoolean } from '../db/raw-sql';
import { AttachmentRename } from './attachment-renames';

/** Ids per IN list: well below every driver's bound-parameter limit. */
const CHUNK = 500;

function chunks<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

/** BIGINT comes back as a string from PostgreSQL and MySQL. */
const normalized = (row: AttachmentEntity): AttachmentEntity => {
  row.fileSize = Number(row.fileSize);
  row.validated = sqlBoolean(row.validated);
  return row;
};

/** All SQL on `attachments`. */
@Injectable()
export class AttachmentsRepository {
  /** The attachments of these ciphers, oldest first. */
  async listForCiphers(db: EntityManager, cipherIds: string[]): Promise<AttachmentEntity[]> {
    const rows: AttachmentEntity[] = [];
    for (const part of chunks([...new Set(cipherIds)])) {
      rows.push(...(await db.getRepository(AttachmentEntity).find({ where: { cipherId: In(part) }, order: { createdAt: 'ASC', id: 'ASC' } })));
    }
    return rows.map(normalized);
  }

  async find(db: EntityManager, cipherId: string, id: string): Promise<AttachmentEntity | null> {
    const row = await db.getRepository(AttachmentEntity).findOne({ where: { cipherId, id } });
    return row ? normalized(row) : null;
  }

  async insert(db: EntityManager, row: AttachmentEntity): Promise<void> {
    await db.getRepository(AttachmentEntity).insert(row);
  }

  /** Marks a pending attachment uploaded with its real size; false when it is gone or was already uploaded. */
  async markUploaded(db: EntityManager, cipherId: string, id: string, size: number): Promise<boolean> {
    const result = await db.getRepository(AttachmentEntity).update({ cipherId, id, validated: false }, { validated: true, fileSize: size });
    return (result.affected ?? 0) > 0;
  }

  /** New encrypted names and keys of existing attachments (a cipher edit, a share, a key rotation); unknown ids are ignored. */
  async rename(db: EntityManager, cipherId: string, changes: AttachmentRename[] | null): Promise<void> {
    for (const change of changes ?? []) {
      await db.getRepository(AttachmentEntity).update({ cipherId, id: change.id }, { fileName: change.fileName, key: change.key });
    }
  }

  /** Records the staged copy of a share (its name, key and size) on the attachment. */
  async stageShare(db: EntityManager, cipherId: string, id: string, staged: { fileName: string; key: string | null; size: number }): Promise<boolean> {
    const result = await db.getRepository(AttachmentEntity).update({ cipherId, id }, { shareFileName: staged.fileName, shareKey: staged.key, shareFileSize: staged.size });
    return (result.affected ?? 0) > 0;
  }

  /** The attachments of these ciphers that have a staged share copy. */
  async staged(db: EntityManager, cipherIds: string[]): Promise<AttachmentEntity[]> {
    return (await this.listForCiphers(db, cipherIds)).filter((row) => row.shareFileName !== null);
  }

  /** Makes the staged copy the attachment's metadata (the file is moved by the caller). */
  async applyStaged(db: EntityManager, row: AttachmentEntity): Promise<void> {
    await db.getRepository(AttachmentEntity).update({ cipherId: row.cipherId, id: row.id }, {
      fileName: row.shareFileName as string, key: row.shareKey, fileSize: Number(row.shareFileSize), validated: true, shareFileName: null, shareKey: null, shareFileSize: null,
    });
  }

  async delete(db: EntityManager, cipherId: string, id: string): Promise<boolean> {
    const result = await db.getRepository(AttachmentEntity).delete({ cipherId, id });
    return (result.affected ?? 0) > 0;
  }

  /** Bytes stored (and announced by pending uploads) on the user's personal ciphers. */
  usedByUser(db: EntityManager, userId: string): Promise<number> {
    return this.sum(db, 'c.user_id = $1', userId);
  }

  /** Bytes stored (and announced by pending uploads) on the organization's ciphers. */
  usedByOrganization(db: EntityManager, organizationId: string): Promise<number> {
    return this.sum(db, 'c.organization_id = $1', organizationId);
  }

  /** Which of these ciphers have attachments. */
  async withAttachments(db: EntityManager, cipherIds: string[]): Promise<string[]> {
    const found = new Set<string>();
    for (const part of chunks([...new Set(cipherIds)])) {
      const rows = await db.getRepository(AttachmentEntity).createQueryBuilder('a').select('DISTINCT a.cipher_id', 'cipher_id').where({ cipherId: In(part) }).getRawMany<{ cipher_id: string }>();
      for (const row of rows) found.add(row.cipher_id);
    }
    return [...found];
  }

  /** The user's personal ciphers that have attachments. */
  ofUser(db: EntityManager, userId: string): Promise<string[]> {
    return this.ciphersWhere(db, 'c.user_id = $1', userId);
  }

  /** The organization's ciphers that have attachments. */
  ofOrganization(db: EntityManager, organizationId: string): Promise<string[]> {
    return this.ciphersWhere(db, 'c.organization_id = $1', organizationId);
  }

  /** Uploads announced before `cutoff` whose file never arrived. */
  async pendingBefore(db: EntityManager, cutoff: Date, limit: number): Promise<Array<{ cipherId: string; id: string }>> {
    const rows = await rawQuery<{ cipher_id: string; id: string }>(db,
      `SELECT a.cipher_id AS cipher_id, a.id AS id FROM attachments a WHERE a.validated = FALSE AND a.created_at < $1 ORDER BY a.created_at LIMIT ${Math.trunc(limit)}`,
      [storedTimestamp(cutoff)]);
    return rows.map((row) => ({ cipherId: row.cipher_id, id: row.id }));
  }

  /** Which of these cipher ids still exist. */
  async existingCiphers(db: EntityManager, cipherIds: string[]): Promise<Set<string>> {
    const found = new Set<string>();
    for (const part of chunks(cipherIds)) {
      for (const row of await db.getRepository(CipherEntity).find({ select: { id: true }, where: { id: In(part) } })) found.add(row.id);
    }
    return found;
  }

  private async sum(db: EntityManager, condition: string, value: string): Promise<number> {
    const [row] = await rawQuery<{ used: unknown }>(db, `SELECT COALESCE(SUM(a.file_size), 0) AS used FROM attachments a JOIN ciphers c ON c.id = a.cipher_id WHERE ${condition}`, [value]);
    return Number(row?.used ?? 0);
  }

  private async ciphersWhere(db: EntityManager, condition: string, value: string): Promise<string[]> {
    const rows = await rawQuery<{ cipher_id: string }>(db, `SELECT DISTINCT a.cipher_id AS cipher_id FROM attachments a JOIN ciphers c ON c.id = a.cipher_id WHERE ${condition}`, [value]);
    return rows.map((row) => row.cipher_id);
  }
}
