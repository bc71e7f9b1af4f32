import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ErrorCode } from '../common/errors/error-code';
import { VaultError } from '../common/errors/vault-error';
import { FolderEntity } from '../db/entities';
import { FolderResponseDto, toFolderResponse } from './dto/folder-response.dto';
import { FoldersRepository } from './folders.repository';

/** Read side of folders that other features compose (sync, cipher folder checks). */
@Injectable()
export class FoldersQueryService {
  constructor(private readonly repo: FoldersRepository) {}

  async listForUser(db: EntityManager, userId: string): Promise<FolderResponseDto[]> {
    return (await this.repo.listByUser(db, userId)).map(toFolderResponse);
  }

  /** The user's folder, or `Invalid folder` (another user's folder is indistinguishable from a missing one). */
  async requireOwned(db: EntityManager, userId: string, folderId: string): Promise<FolderEntity> {
    const folder = await this.repo.findByIdAndUser(db, folderId, userId);
    if (!folder) throw new VaultError(ErrorCode.FolderNotFound);
    return folder;
  }

  /** Which of `folderIds` belong to the user. */
  ownedIds(db: EntityManager, userId: string, folderIds: string[]): Promise<Set<string>> {
    return this.repo.findIdsByIdsAndUser(db, [...new Set(folderIds)], userId);
  }
}
