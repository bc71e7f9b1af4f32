import { Injectable } from '@nestjs/common';
import { EntityManager, In } from 'typeorm';
import { FolderCipherEntity, FolderEntity } from '../db/entities';

/** All SQL on folders, always scoped by the owning user. */
@Injectable()
export class FoldersRepository {
  listByUser(db: EntityManager, userId: string): Promise<FolderEntity[]> {
    return db.getRepository(FolderEntity).find({ where: { userId }, order: { creationDate: 'ASC', id: 'ASC' } });
  }

  findByIdAndUser(db: EntityManager, id: string, userId: string): Promise<FolderEntity | null> {
    return db.getRepository(FolderEntity).findOne({ where: { id, userId } });
  }

  async findIdsByIdsAndUser(db: EntityManager, ids: string[], userId: string): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await db.getRepository(FolderEntity).find({ where: { id: In(ids), userId }, select: { id: true } });
    return new Set(rows.map((row) => row.id));
  }

  async insert(db: EntityManager, folders: FolderEntity[]): Promise<void> {
    for (let i = 0; i < folders.length; i += 200) {
      await db.createQueryBuilder().insert().into(FolderEntity).values(folders.slice(i, i + 200)).updateEntity(false).execute();
    }
  }

  async save(db: EntityManager, folder: FolderEntity): Promise<void> {
    await db.getRepository(FolderEntity).update({ id: folder.id, userId: folder.userId }, { name: folder.name, revisionDate: folder.revisionDate });
  }

  /** Deletes the folder; its ciphers stay, in no folder. */
  async deleteByIdAndUser(db: EntityManager, id: string, userId: string): Promise<void> {
    await db.getRepository(FolderCipherEntity).delete({ folderId: id });
    await db.getRepository(FolderEntity).delete({ id, userId });
  }

  async deleteAllByUser(db: EntityManager, userId: string): Promise<void> {
    await db
      .createQueryBuilder()
      .delete()
      .from(FolderCipherEntity)
      .where('folder_id IN (SELECT id FROM folders WHERE user_id = :userId)', { userId })
      .execute();
    await db.getRepository(FolderEntity).delete({ userId });
  }
}
