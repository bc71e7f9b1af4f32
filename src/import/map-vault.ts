import { AttachmentEntity, CipherArchiveEntity, CipherEntity, FavoriteEntity, FolderCipherEntity, FolderEntity } from '../db/entities';
import { date, int, lowerFirstKeys, optDate, optInt, optStr, parseJson, str, VwRow } from './vaultwarden-values';

/** Folders (Vaultwarden `folders`). */
export function mapFolder(row: VwRow): FolderEntity {
  return Object.assign(new FolderEntity(), {
    id: str(row, 'uuid'), userId: str(row, 'user_uuid'), name: str(row, 'name'), creationDate: date(row, 'created_at'), revisionDate: date(row, 'updated_at'),
  });
}

/**
 * A JSON column of a cipher (type data, fields, password history) in the camelCase keys clients send today:
 * rows written by old Vaultwarden versions have PascalCase keys. Unreadable JSON is kept as it is.
 */
export function normalizeCipherJson(text: string | null): string | null {
  if (text === null) return null;
  const parsed = parseJson(text);
  return parsed === undefined ? text : JSON.stringify(lowerFirstKeys(parsed));
}

/**
 * Ciphers (Vaultwarden `ciphers`): every type, the per-item key, reprompt, deleted state; `archivedAt` is the
 * owner's archive mark of a personal cipher (Vaultwarden `archives`), which Vaultwave keeps on the row.
 */
export function mapCipher(row: VwRow, archivedAt: Date | null): CipherEntity {
  const userId = optStr(row, 'user_uuid');
  const organizationId = optStr(row, 'organization_uuid');
  return Object.assign(new CipherEntity(), {
    id: str(row, 'uuid'),
    userId: organizationId ? null : userId,
    organizationId,
    type: int(row, 'atype'),
    name: str(row, 'name'),
    notes: optStr(row, 'notes'),
    key: optStr(row, 'key'),
    reprompt: optInt(row, 'reprompt') ?? 0,
    data: normalizeCipherJson(str(row, 'data')) ?? '{}',
    fields: normalizeCipherJson(optStr(row, 'fields')),
    passwordHistory: normalizeCipherJson(optStr(row, 'password_history')),
    creationDate: date(row, 'created_at'),
    revisionDate: date(row, 'updated_at'),
    deletedDate: optDate(row, 'deleted_at'),
    archivedDate: organizationId ? null : archivedAt,
  });
}

/** Per-user archive marks of organization ciphers (Vaultwarden `archives`). */
export function mapCipherArchive(row: VwRow): CipherArchiveEntity {
  return Object.assign(new CipherArchiveEntity(), { userId: str(row, 'user_uuid'), cipherId: str(row, 'cipher_uuid'), archivedDate: date(row, 'archived_at') });
}

export function mapFavorite(row: VwRow): FavoriteEntity {
  return Object.assign(new FavoriteEntity(), { userId: str(row, 'user_uuid'), cipherId: str(row, 'cipher_uuid') });
}

export function mapFolderCipher(row: VwRow): FolderCipherEntity {
  return Object.assign(new FolderCipherEntity(), { cipherId: str(row, 'cipher_uuid'), folderId: str(row, 'folder_uuid') });
}

/** Attachments (Vaultwarden `attachments`): the file lives at attachments/<cipher>/<id> in both. */
export function mapAttachment(row: VwRow, cipherCreated: Date): AttachmentEntity {
  return Object.assign(new AttachmentEntity(), {
    cipherId: str(row, 'cipher_uuid'),
    id: str(row, 'id'),
    fileName: str(row, 'file_name'),
    fileSize: int(row, 'file_size'),
    key: optStr(row, 'akey'),
    validated: true,
    createdAt: cipherCreated,
    shareFileName: null,
    shareKey: null,
    shareFileSize: null,
  });
}
