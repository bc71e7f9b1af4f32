import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { TokenService } from '../common/auth/token.service';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.tokens';
import { AttachmentsRepository } from './attachments.repository';
import { AttachmentResponseDto, toAttachmentResponse } from './dto/attachment-response.dto';

/** Vaultwarden's purpose name for download tokens. */
const PURPOSE = 'file_download';
/** Lifetime of the link `GET …/attachment/{id}` answers (the official one minute: it is fetched at once). */
export const FRESH_LINK_SECONDS = 60;
/** Lifetime of the links inside cipher responses and sync (Vaultwarden's five minutes). */
export const LISTED_LINK_SECONDS = 5 * 60;

/**
 * Download links: `{DOMAIN}/attachments/{cipherId}/{attachmentId}?token=…`, where the token names both ids and
 * expires. Whoever holds the link may download the (encrypted) bytes without a bearer token, as the clients do; a
 * link never serves another attachment or another cipher, and an expired or altered one serves nothing.
 */
@Injectable()
export class AttachmentLinks {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig, private readonly tokens: TokenService, private readonly repo: AttachmentsRepository) {}

  url(cipherId: string, attachmentId: string, ttlSeconds: number): string {
    const token = this.tokens.signLinkToken(PURPOSE, cipherId, { file_id: attachmentId }, ttlSeconds);
    return `${this.config.publicUrl}/attachments/${cipherId}/${attachmentId}?token=${encodeURIComponent(token)}`;
  }

  /** The (cipher, attachment) a token was issued for, if it is valid and unexpired. */
  verify(token: string): { cipherId: string; attachmentId: string } | null {
    const claims = this.tokens.verifyLinkToken(PURPOSE, token);
    if (!claims || typeof claims.file_id !== 'string') return null;
    return { cipherId: claims.sub, attachmentId: claims.file_id };
  }

  /** cipher id → its attachments as responses list them (one query per 500 ciphers); ciphers without any are absent. */
  async forCiphers(db: EntityManager, cipherIds: string[]): Promise<Map<string, AttachmentResponseDto[]>> {
    const out = new Map<string, AttachmentResponseDto[]>();
    if (cipherIds.length === 0) return out;
    for (const row of await this.repo.listForCiphers(db, cipherIds)) {
      const list = out.get(row.cipherId) ?? [];
      list.push(toAttachmentResponse(row, this.url(row.cipherId, row.id, LISTED_LINK_SECONDS)));
      out.set(row.cipherId, list);
    }
    return out;
  }

  /** The attachments of one cipher, or null when it has none (the clients' shape). */
  async forCipher(db: EntityManager, cipherId: string): Promise<AttachmentResponseDto[] | null> {
    return (await this.forCiphers(db, [cipherId])).get(cipherId) ?? null;
  }
}
