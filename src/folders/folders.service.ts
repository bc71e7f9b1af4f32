import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AccountRevisionService } from '../accounts/account-revision.service';
import { AuthContext } from '../common/auth/auth-context';
import { Clock } from '../common/time/clock';
import { FolderEntity } from '../db/entities';
import { Tx, UnitOfWork } from '../db/unit-of-work';
import { EventBus } from '../event-bus/event-bus.service';
import { FolderRequestDto } from './dto/folder-request.dto';
import { ListResponseDto, toListResponse } from '../common/http/list-response';
import { FolderResponseDto, toFolderResponse } from './dto/folder-response.dto';
import { FoldersQueryService } from './folders-query.service';
import { FoldersRepository } from './folders.repository';

/** Folder commands: one unit of work each that writes, bumps the account revision date and emits the event. */
@Injectable()
export class FoldersService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly repo: FoldersRepository,
    private readonly query: FoldersQueryService,
    private readonly accountRevision: AccountRevisionService,
    private readonly bus: EventBus,
    private readonly clock: Clock,
  ) {}

  list(auth: AuthContext): Promise<ListResponseDto<FolderResponseDto>> {
    return this.uow.read(async (db) => toListResponse(await this.query.listForUser(db, auth.userId)));
  }

  get(auth: AuthContext, id: string): Promise<FolderResponseDto> {
    return this.uow.read(async (db) => toFolderResponse(await this.query.requireOwned(db, auth.userId, id)));
  }

  create(auth: AuthContext, dto: FolderRequestDto): Promise<FolderResponseDto> {
    return this.uow.run(async (tx) => {
      const now = this.clock.now();
      const folder = newFolder(auth.userId, dto.name, now);
      await this.repo.insert(tx.manager, [folder]);
      await this.accountRevision.bump(tx, [auth.userId], now);
      await this.bus.emit(tx, 'FolderCreated', { folderId: folder.id, userId: auth.userId, revisionDate: folder.revisionDate, actor: auth.actor });
      return toFolderResponse(folder);
    });
  }

  update(auth: AuthContext, id: string, dto: FolderRequestDto): Promise<FolderResponseDto> {
    return this.uow.run(async (tx) => {
      const folder = await this.query.requireOwned(tx.manager, auth.userId, id);
      folder.name = dto.name;
      folder.revisionDate = this.clock.now();
      await this.repo.save(tx.manager, folder);
      await this.accountRevision.bump(tx, [auth.userId], folder.revisionDate);
      await this.bus.emit(tx, 'FolderUpdated', { folderId: folder.id, userId: auth.userId, revisionDate: folder.revisionDate, actor: auth.actor });
      return toFolderResponse(folder);
    });
  }

  /** Deletes the folder; the ciphers in it move to no folder. The event carries the time of deletion. */
  delete(auth: AuthContext, id: string): Promise<void> {
    return this.uow.run(async (tx) => {
      const folder = await this.query.requireOwned(tx.manager, auth.userId, id);
      const now = this.clock.now();
      await this.repo.deleteByIdAndUser(tx.manager, folder.id, auth.userId);
      await this.accountRevision.bump(tx, [auth.userId], now);
      await this.bus.emit(tx, 'FolderDeleted', { folderId: folder.id, userId: auth.userId, revisionDate: now, actor: auth.actor });
    });
  }

  // --- building blocks for other features' units of work (no events: the caller emits its own) ---

  /** Creates folders inside the caller's transaction (vault import); returns them in the given order. */
  async createInTx(tx: Tx, userId: string, names: string[], now: Date): Promise<FolderEntity[]> {
    const folders = names.map((name) => newFolder(userId, name, now));
    await this.repo.insert(tx.manager, folders);
    return folders;
  }

  /** Deletes every folder of the user inside the caller's transaction (vault purge). */
  deleteAllInTx(tx: Tx, userId: string): Promise<void> {
    return this.repo.deleteAllByUser(tx.manager, userId);
  }
}

function newFolder(userId: string, name: string, now: Date): FolderEntity {
  const folder = new FolderEntity();
  folder.id = randomUUID();
  folder.userId = userId;
  folder.name = name;
  folder.creationDate = now;
  folder.revisionDate = now;
  return folder;
}
