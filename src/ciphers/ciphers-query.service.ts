import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ErrorCode } from '../common/errors/error-code';
import { VaultError } from '../common/errors/vault-error';
import { CipherEntity } from '../db/entities';
import { CipherResponseDto, CipherView, toCipherResponse } from './dto/cipher-response.dto';
import { CiphersRepository } from './ciphers.repository';

/**
 * Read side of ciphers that other features compose (sync). Per-user state (folder, favourite) is loaded with
 * one query each for the whole list, never per cipher.
 */
@Injectable()
export class CiphersQueryService {
  constructor(private readonly repo: CiphersRepository) {}

  /** Every cipher the user can see, trashed ones included (clients show those in the trash). */
  async listForUser(db: EntityManager, userId: string): Promise<CipherResponseDto[]> {
    const ciphers = await this.repo.listByUser(db, userId);
    return (await this.views(db, userId, ciphers, false)).map(toCipherResponse);
  }

  /** The cipher as the user sees it; `Resource not found.` (404) when missing or not visible to the user. */
  async requireForUser(db: EntityManager, userId: string, id: string): Promise<CipherResponseDto> {
    const cipher = await this.repo.findByIdAndUser(db, id, userId);
    if (!cipher) throw new VaultError(ErrorCode.CipherNotFound);
    const [view] = await this.views(db, userId, [cipher], true);
    return toCipherResponse(view as CipherView);
  }

  /** Attaches the user's folder and favourite to each cipher: two queries whatever the number of ciphers. */
  async views(db: EntityManager, userId: string, ciphers: CipherEntity[], onlyThese = true): Promise<CipherView[]> {
    if (ciphers.length === 0) return [];
    const ids = onlyThese ? ciphers.map((cipher) => cipher.id) : undefined;
    const [favorites, folders] = [await this.repo.favoriteIds(db, userId, ids), await this.repo.folderLinks(db, userId, ids)];
    return ciphers.map((cipher) => ({ cipher, folderId: folders.get(cipher.id) ?? null, favorite: favorites.has(cipher.id) }));
  }
}
