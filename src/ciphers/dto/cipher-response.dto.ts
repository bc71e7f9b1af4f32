import type { AttachmentResponseDto } from '../../attachments/dto/attachment-response.dto';
import { toApiDate } from '../../common/time/clock';
import { CipherEntity } from '../../db/entities';
import { TYPE_DATA_DEFAULTS } from './cipher-data.dto';
import { CipherType, TYPE_DATA_KEY, TypeDataKey } from './cipher-request.dto';
import { CipherAccess, PERSONAL_ACCESS } from '../cipher-access';

/** A cipher as one user sees it: the shared row plus that user's folder and favourite mark. */
export interface CipherView {
  cipher: CipherEntity;
  folderId: string | null;
  favorite: boolean;
  /** What the user may do with it (organization ciphers); everything when absent. */
  access?: CipherAccess;
  /** Whether the user may delete and restore it (permissions.delete/restore); `access.edit || access.manage` when absent. */
  deletable?: boolean;
  /** The user's own archive date of an organization cipher (per user); the row's `archivedDate` when absent. */
  archivedDate?: Date | null;
  /** The cipher's attachments (null or absent: none). */
  attachments?: AttachmentResponseDto[] | null;
}

type JsonObject = Record<string, unknown>;

/** The `cipherDetails` JSON of GET /api/sync and every cipher endpoint (real-clients.md §3.8). */
export interface CipherResponseDto {
  object: 'cipherDetails';
  id: string;
  type: number;
  organizationId: string | null;
  folderId: string | null;
  favorite: boolean;
  edit: boolean;
  viewPassword: boolean;
  permissions: { delete: boolean; restore: boolean };
  organizationUseTotp: boolean;
  collectionIds: string[];
  key: string | null;
  reprompt: number;
  name: string;
  notes: string | null;
  fields: unknown[] | null;
  passwordHistory: unknown[] | null;
  attachments: AttachmentResponseDto[] | null;
  login: JsonObject | null;
  secureNote: JsonObject | null;
  card: JsonObject | null;
  identity: JsonObject | null;
  sshKey: JsonObject | null;
  creationDate: string;
  revisionDate: string;
  deletedDate: string | null;
  archivedDate: string | null;
}

function parseJson(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

function asObject(value: unknown): JsonObject | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject) : null;
}

function asArray(value: unknown): unknown[] | null {
  return Array.isArray(value) ? value : null;
}

/** The stored login with every known key present; `uri` mirrors the first of `uris`, as upstream does. */
function loginView(stored: JsonObject): JsonObject {
  const uris = asArray(stored.uris)?.map((entry) => ({ uri: null, match: null, uriChecksum: null, ...asObject(entry) }));
  const firstUri = uris?.[0]?.uri;
  return { ...TYPE_DATA_DEFAULTS.login, ...stored, uris: uris ?? null, uri: firstUri ?? stored.uri ?? null };
}

function typeDataView(key: TypeDataKey, stored: JsonObject): JsonObject {
  return key === 'login' ? loginView(stored) : { ...TYPE_DATA_DEFAULTS[key], ...stored };
}

export function toCipherResponse(view: CipherView): CipherResponseDto {
  const { cipher } = view;
  const access = view.access ?? PERSONAL_ACCESS;
  const deletable = view.deletable ?? (access.edit || access.manage);
  const key = TYPE_DATA_KEY[cipher.type as CipherType] as TypeDataKey | undefined;
  const data = asObject(parseJson(cipher.data));
  const typed = (k: TypeDataKey): JsonObject | null => (key === k && data ? typeDataView(k, data) : null);
  return {
    object: 'cipherDetails',
    id: cipher.id,
    type: cipher.type,
    organizationId: cipher.organizationId,
    folderId: view.folderId,
    favorite: view.favorite,
    edit: access.edit,
    viewPassword: access.viewPassword,
    permissions: { delete: deletable, restore: deletable },
    organizationUseTotp: true,
    collectionIds: access.collectionIds,
    key: cipher.key,
    reprompt: cipher.reprompt,
    name: cipher.name,
    notes: cipher.notes,
    fields: asArray(parseJson(cipher.fields)),
    passwordHistory: asArray(parseJson(cipher.passwordHistory)),
    attachments: view.attachments && view.attachments.length > 0 ? view.attachments : null,
    login: typed('login'),
    secureNote: typed('secureNote'),
    card: typed('card'),
    identity: typed('identity'),
    sshKey: typed('sshKey'),
    creationDate: toApiDate(cipher.creationDate),
    revisionDate: toApiDate(cipher.revisionDate),
    deletedDate: toApiDate(cipher.deletedDate),
    archivedDate: toApiDate(view.archivedDate !== undefined ? view.archivedDate : cipher.archivedDate),
  };
}

/** Keys of `cipherDetails` that `cipherMini` (bitwarden/server CipherMiniResponseModel) does not have: the per-user ones. */
type PerUserKeys = 'object' | 'folderId' | 'favorite' | 'edit' | 'viewPassword' | 'permissions' | 'collectionIds' | 'archivedDate';

/** `cipherMini`: the shared content of a cipher, without anything that depends on who reads it (the `-admin` routes). */
export interface CipherMiniResponseDto extends Omit<CipherResponseDto, PerUserKeys> { object: 'cipherMini' }

/** `cipherMiniDetails`: `cipherMini` with every collection the cipher is in (Admin Console lists). */
export interface CipherMiniDetailsResponseDto extends Omit<CipherMiniResponseDto, 'object'> { object: 'cipherMiniDetails'; collectionIds: string[] }

export function toCipherMiniResponse(cipher: CipherEntity, attachments: AttachmentResponseDto[] | null = null): CipherMiniResponseDto {
  const full = toCipherResponse({ cipher, folderId: null, favorite: false, attachments });
  return {
    object: 'cipherMini', id: full.id, type: full.type, organizationId: full.organizationId, organizationUseTotp: full.organizationUseTotp, key: full.key,
    reprompt: full.reprompt, name: full.name, notes: full.notes, fields: full.fields, passwordHistory: full.passwordHistory, attachments: full.attachments,
    login: full.login, secureNote: full.secureNote, card: full.card, identity: full.identity, sshKey: full.sshKey,
    creationDate: full.creationDate, revisionDate: full.revisionDate, deletedDate: full.deletedDate,
  };
}

export function toCipherMiniDetailsResponse(cipher: CipherEntity, collectionIds: string[], attachments: AttachmentResponseDto[] | null = null): CipherMiniDetailsResponseDto {
  return { ...toCipherMiniResponse(cipher, attachments), object: 'cipherMiniDetails', collectionIds };
}
