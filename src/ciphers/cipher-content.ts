import { randomUUID } from 'node:crypto';
import { CipherEntity } from '../db/entities';
import { CipherRequestDto, TYPE_DATA_KEY } from './dto/cipher-request.dto';

// How a cipher request becomes a cipher row: pure, shared by every write path (create, edit, share, import, key rotation).

/** Drops the `response` keys clients echo back from their own models; keeps everything else as sent. */
function withoutResponse(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutResponse);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>)
      .filter(([key]) => key !== 'response' && key !== '__proto__')
      .map(([key, inner]) => [key, withoutResponse(inner)]),
  );
}

/** Copies the content of a request onto a cipher row (not its dates, owner or per-user state). */
export function applyContent(cipher: CipherEntity, dto: CipherRequestDto): void {
  cipher.type = dto.type;
  cipher.name = dto.name;
  cipher.notes = dto.notes ?? null;
  cipher.key = dto.key ?? null;
  cipher.reprompt = dto.reprompt ?? 0;
  cipher.data = JSON.stringify(withoutResponse(dto[TYPE_DATA_KEY[dto.type]] ?? {}));
  cipher.fields = dto.fields
    ? JSON.stringify(dto.fields.map((field) => ({ type: field.type, name: field.name ?? null, value: field.value ?? null, linkedId: field.linkedId ?? null })))
    : null;
  cipher.passwordHistory = dto.passwordHistory
    ? JSON.stringify(dto.passwordHistory.map((entry) => ({ lastUsedDate: entry.lastUsedDate, password: entry.password })))
    : null;
}

export function newCipher(userId: string, dto: CipherRequestDto, now: Date): CipherEntity {
  const cipher = new CipherEntity();
  cipher.id = randomUUID();
  cipher.userId = userId;
  cipher.organizationId = null;
  applyContent(cipher, dto);
  cipher.creationDate = now;
  cipher.revisionDate = now;
  cipher.deletedDate = null;
  cipher.archivedDate = null;
  return cipher;
}
