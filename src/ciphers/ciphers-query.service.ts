import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AttachmentLinks } from '../attachments/attachment-links.service';
import { ErrorCode } from '../common/errors/error-code';
import { VaultError } from '../common/errors/vault-error';
import { CipherEntity } from '../db/entities';
import { accessFromGrants, CipherAccess, deletePermission } from './cipher-access';
import {
  CipherMiniDetailsResponseDto, CipherMiniResponseDto, CipherResponseDto, CipherView, toCipherMiniDetailsResponse, toCipherMiniResponse, toCipherResponse,
} from './dto/cipher-response.dto';
import { CipherGrant, CiphersRepository } from './ciphers.repository';

/** A cipher the user may see, with what they may do with it. */
export interface VisibleCipher { cipher: CipherEntity; access: CipherAccess | null }

/**
 * Read side of ciphers that other features compose (sync). Per-user state (folder, favourite) is loaded with
 * one query each for the whole list, never per cipher.
 */
@Injectable()
export class CiphersQueryService {
  constructor(private readonly repo: CiphersRepository, private readonly attachments: AttachmentLinks) {}

  /**
   * Every cipher the user can see, trashed ones included (clients show those in the trash): their own, then the
   * organization ciphers of collections they are assigned to.
   */
  async listForUser(db: EntityManager, userId: string): Promise<CipherResponseDto[]> {
    const personal = await this.repo.listByUser(db, userId);
    const grants = await this.repo.grants(db, userId);
    const shared = grants.length === 0 ? [] : await this.repo.findByIds(db, grants.map((g) => g.cipherId));
    const byCipher = new Map<string, CipherGrant[]>();
    for (const grant of grants) byCipher.set(grant.cipherId, [...(byCipher.get(grant.cipherId) ?? []), grant]);
    const visible: VisibleCipher[] = [
      ...personal.map((cipher) => ({ cipher, access: null })),
      ...shared.sort((a, b) => a.creationDate.getTime() - b.creationDate.getTime() || a.id.localeCompare(b.id))
        .map((cipher) => ({ cipher, access: accessFromGrants(byCipher.get(cipher.id) ?? []) })),
    ];
    return (await this.views(db, userId, visible, false)).map(toCipherResponse);
  }

  /** The cipher as the user sees it; `Resource not found.` (404) when missing or not visible to the user. */
  async requireForUser(db: EntityManager, userId: string, id: string): Promise<CipherResponseDto> {
    const visible = await this.findVisible(db, userId, id);
    if (!visible) throw new VaultError(ErrorCode.CipherNotFound);
    const [view] = await this.views(db, userId, [visible], true);
    return toCipherResponse(view as CipherView);
  }

  /** The user's own cipher (access null), or an organization cipher they are assigned to (with that access). */
  async findVisible(db: EntityManager, userId: string, id: string): Promise<VisibleCipher | null> {
    const cipher = await this.repo.findById(db, id);
    if (!cipher) return null;
    if (cipher.organizationId === null) return cipher.userId === userId ? { cipher, access: null } : null;
    const access = accessFromGrants(await this.repo.grants(db, userId, [id]));
    return access ? { cipher, access } : null;
  }

  /**
   * Attaches the user's folder and favourite to each cipher (two queries whatever the number of ciphers), their
   * attachments (one query per 500 ciphers), and for organization ciphers the access, delete permission and the
   * user's archive date.
   */
  async views(db: EntityManager, userId: string, ciphers: Array<CipherEntity | VisibleCipher>, onlyThese = true): Promise<CipherView[]> {
    if (ciphers.length === 0) return [];
    const visible = ciphers.map((c) => ('cipher' in c ? c : { cipher: c, access: null }));
    const ids = onlyThese ? visible.map((v) => v.cipher.id) : undefined;
    const [favorites, folders] = [await this.repo.favoriteIds(db, userId, ids), await this.repo.folderLinks(db, userId, ids)];
    const shared = visible.filter((v) => v.cipher.organizationId !== null);
    const limits = await this.repo.itemDeletionLimits(db, shared.map((v) => v.cipher.organizationId as string));
    // Organization ciphers are archived per user (cipher_archives); personal ones on the row.
    const archives = shared.length === 0 ? new Map<string, Date>() : await this.repo.archiveDates(db, userId, onlyThese ? shared.map((v) => v.cipher.id) : undefined);
    const attachments = await this.attachments.forCiphers(db, visible.map((v) => v.cipher.id));
    return visible.map(({ cipher, access }) => ({
      cipher, folderId: folders.get(cipher.id) ?? null, favorite: favorites.has(cipher.id), attachments: attachments.get(cipher.id) ?? null,
      ...(cipher.organizationId !== null ? { archivedDate: archives.get(cipher.id) ?? null } : {}),
      ...(access ? { access, deletable: deletePermission(access, limits.get(cipher.organizationId ?? '') ?? false) } : {}),
    }));
  }

  /** `cipherMini` of each cipher, with its attachments (one query per 500 ciphers). */
  async minis(db: EntityManager, ciphers: CipherEntity[]): Promise<CipherMiniResponseDto[]> {
    const attachments = await this.attachments.forCiphers(db, ciphers.map((c) => c.id));
    return ciphers.map((c) => toCipherMiniResponse(c, attachments.get(c.id) ?? null));
  }

  async mini(db: EntityManager, cipher: CipherEntity): Promise<CipherMiniResponseDto> {
    return toCipherMiniResponse(cipher, await this.attachments.forCipher(db, cipher.id));
  }

  /** `cipherMiniDetails` of each cipher with its collections from `links`, and its attachments. */
  async miniDetails(db: EntityManager, ciphers: CipherEntity[], links: Map<string, string[]>): Promise<CipherMiniDetailsResponseDto[]> {
    const attachments = await this.attachments.forCiphers(db, ciphers.map((c) => c.id));
    return ciphers.map((c) => toCipherMiniDetailsResponse(c, links.get(c.id) ?? [], attachments.get(c.id) ?? null));
  }
}
