import { SendEntity } from '../db/entities';
import { bool, bytes, date, int, lowerFirstKeys, optBool, optDate, optInt, optStr, parseJson, str, VwRow } from './vaultwarden-values';

const SEND_TEXT = 0;

/**
 * Sends (Vaultwarden `sends`): Vaultwave's table has Vaultwarden's columns, except that the text (text, hidden) and
 * the file (id, fileName, size) of Vaultwarden's `data` JSON get columns of their own. The password hash and salt
 * (BLOBs) become base64, the scheme is the same. The file lives at sends/<send>/<file id> in both.
 */
export function mapSend(row: VwRow): SendEntity {
  const type = int(row, 'atype');
  const data = (lowerFirstKeys(parseJson(str(row, 'data'))) ?? {}) as Record<string, unknown>;
  const hash = bytes(row, 'password_hash');
  const salt = bytes(row, 'password_salt');
  const hasPassword = hash.length > 0 && optInt(row, 'password_iter') !== null;
  const size = Number(data.size);
  return Object.assign(new SendEntity(), {
    id: str(row, 'uuid'),
    userId: str(row, 'user_uuid'),
    type,
    name: str(row, 'name'),
    notes: optStr(row, 'notes'),
    key: str(row, 'akey'),
    text: type === SEND_TEXT && typeof data.text === 'string' ? data.text : null,
    textHidden: type === SEND_TEXT ? data.hidden === true : null,
    fileId: type !== SEND_TEXT && typeof data.id === 'string' ? data.id : null,
    fileName: type !== SEND_TEXT && typeof data.fileName === 'string' ? data.fileName : null,
    fileSize: type !== SEND_TEXT && Number.isFinite(size) ? size : null,
    fileValidated: true,
    passwordHash: hasPassword ? hash.toString('base64') : null,
    passwordSalt: hasPassword ? salt.toString('base64') : null,
    passwordIterations: hasPassword ? optInt(row, 'password_iter') : null,
    maxAccessCount: optInt(row, 'max_access_count'),
    accessCount: int(row, 'access_count'),
    creationDate: date(row, 'creation_date'),
    revisionDate: date(row, 'revision_date'),
    expirationDate: optDate(row, 'expiration_date'),
    deletionDate: date(row, 'deletion_date'),
    disabled: bool(row, 'disabled'),
    hideEmail: optBool(row, 'hide_email') ?? false,
  });
}
