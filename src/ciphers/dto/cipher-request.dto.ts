import { Type } from 'class-transformer';
import {
  ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsDefined, IsInt, IsISO8601, IsObject, IsOptional, IsString, IsUUID, Max, MaxLength, Min, ValidateIf, ValidateNested,
} from 'class-validator';
import { IsAttachmentMap } from '../../attachments/attachment-renames';
import { ConformsTo } from '../../common/validation/conforms-to';
import { IsEncString } from '../../common/validation/is-enc-string';
import { CardDataDto, IdentityDataDto, LoginDataDto, MAX_CIPHER_DATA_JSON, MAX_ENC_LENGTH, SecureNoteDataDto, SshKeyDataDto } from './cipher-data.dto';

export const MAX_FIELDS = 1_000;
export const MAX_PASSWORD_HISTORY = 10_000;

/** CipherType numbers of Bitwarden. */
export enum CipherType {
  Login = 1,
  SecureNote = 2,
  Card = 3,
  Identity = 4,
  SshKey = 5,
}

export type TypeDataKey = 'login' | 'secureNote' | 'card' | 'identity' | 'sshKey';

export const TYPE_DATA_KEY: Record<CipherType, TypeDataKey> = {
  [CipherType.Login]: 'login',
  [CipherType.SecureNote]: 'secureNote',
  [CipherType.Card]: 'card',
  [CipherType.Identity]: 'identity',
  [CipherType.SshKey]: 'sshKey',
};

export class CipherFieldDto {
  /** FieldType: 0 text, 1 hidden, 2 boolean, 3 linked. */
  @IsInt() @Min(0) @Max(3) type!: number;
  @IsOptional() @IsString() @MaxLength(MAX_ENC_LENGTH) @IsEncString() name?: string | null;
  @IsOptional() @IsString() @MaxLength(MAX_ENC_LENGTH) @IsEncString() value?: string | null;
  @IsOptional() @IsInt() linkedId?: number | null;
}

export class PasswordHistoryDto {
  @IsDefined() @IsISO8601() lastUsedDate!: string;
  @IsDefined() @IsString() @MaxLength(MAX_ENC_LENGTH) @IsEncString() password!: string;
}

/** The object of a type must be there when the cipher has that type, and must conform when it is sent. */
const requiredFor = (type: CipherType, key: TypeDataKey) => ValidateIf((o: CipherRequestDto) => o.type === type || (o[key] !== null && o[key] !== undefined));

/** Body of POST /api/ciphers and PUT/POST /api/ciphers/{id} (camelCase names of current clients). */
export class CipherRequestDto {
  @IsInt() @Min(1) @Max(5) type!: CipherType;

  @IsOptional() @IsUUID('all') organizationId?: string | null;
  @IsOptional() @IsUUID('all') folderId?: string | null;
  /** The user id whose key encrypted the item. */
  @IsOptional() @IsUUID('all') encryptedFor?: string | null;

  @IsDefined() @IsString() @MaxLength(MAX_ENC_LENGTH) @IsEncString() name!: string;
  @IsOptional() @IsString() @MaxLength(MAX_ENC_LENGTH) @IsEncString() notes?: string | null;
  /** Per-item key wrapped by the user key. */
  @IsOptional() @IsString() @MaxLength(MAX_ENC_LENGTH) @IsEncString() key?: string | null;

  @IsOptional() @IsBoolean() favorite?: boolean | null;
  /** CipherRepromptType: 0 none, 1 password. */
  @IsOptional() @IsInt() @Min(0) @Max(1) reprompt?: number | null;
  /** Sent on edit: the revision date of the client's copy. */
  @IsOptional() @IsISO8601() lastKnownRevisionDate?: string | null;

  @requiredFor(CipherType.Login, 'login') @IsObject() @ConformsTo(LoginDataDto, { maxJsonLength: MAX_CIPHER_DATA_JSON })
  login?: Record<string, unknown> | null;

  @requiredFor(CipherType.SecureNote, 'secureNote') @IsObject() @ConformsTo(SecureNoteDataDto, { maxJsonLength: MAX_CIPHER_DATA_JSON })
  secureNote?: Record<string, unknown> | null;

  @requiredFor(CipherType.Card, 'card') @IsObject() @ConformsTo(CardDataDto, { maxJsonLength: MAX_CIPHER_DATA_JSON })
  card?: Record<string, unknown> | null;

  @requiredFor(CipherType.Identity, 'identity') @IsObject() @ConformsTo(IdentityDataDto, { maxJsonLength: MAX_CIPHER_DATA_JSON })
  identity?: Record<string, unknown> | null;

  @requiredFor(CipherType.SshKey, 'sshKey') @IsObject() @ConformsTo(SshKeyDataDto, { maxJsonLength: MAX_CIPHER_DATA_JSON })
  sshKey?: Record<string, unknown> | null;

  @IsOptional() @IsArray() @ArrayMaxSize(MAX_FIELDS) @ValidateNested({ each: true }) @Type(() => CipherFieldDto)
  fields?: CipherFieldDto[] | null;

  @IsOptional() @IsArray() @ArrayMaxSize(MAX_PASSWORD_HISTORY) @ValidateNested({ each: true }) @Type(() => PasswordHistoryDto)
  passwordHistory?: PasswordHistoryDto[] | null;

  /** Legacy: attachment id → its encrypted file name (the key is cleared). Ignored when `attachments2` is sent. */
  @IsOptional() @IsAttachmentMap('attachments') attachments?: Record<string, unknown> | null;
  /** Attachment id → its file name and key, re-encrypted (share into an organization, key rotation). */
  @IsOptional() @IsAttachmentMap('attachments2') attachments2?: Record<string, unknown> | null;
}

/** Body of POST /api/ciphers/create. */
export class CipherCreateRequestDto {
  @IsDefined() @IsObject() @ValidateNested() @Type(() => CipherRequestDto) cipher!: CipherRequestDto;
  @IsOptional() @IsArray() @ArrayMaxSize(1_000) @IsUUID('all', { each: true }) collectionIds?: string[] | null;
}

/** Body of PUT/POST /api/ciphers/{id}/share: the cipher re-encrypted with the organization key, and its collections. */
export class CipherShareRequestDto {
  @IsDefined() @IsObject() @ValidateNested() @Type(() => CipherRequestDto) cipher!: CipherRequestDto;
  @IsDefined() @IsArray() @ArrayMaxSize(1_000) @IsUUID('all', { each: true }) collectionIds!: string[];
}

/** Body of PUT/POST /api/ciphers/{id}/collections and collections_v2. */
export class CipherCollectionsRequestDto {
  @IsDefined() @IsArray() @ArrayMaxSize(1_000) @IsUUID('all', { each: true }) collectionIds!: string[];
}

/** Body of PUT/POST /api/ciphers/{id}/partial: per-user state only. */
export class CipherPartialRequestDto {
  @IsOptional() @IsUUID('all') folderId?: string | null;
  @IsOptional() @IsBoolean() favorite?: boolean | null;
}

/** Most ids one multi-item request may name (bitwarden/server refuses more than 500 as well). */
export const MAX_BULK_IDS = 500;

/** Body of the multi-item operations: delete, trash, restore, archive, unarchive. */
export class CipherIdsRequestDto {
  @IsArray() @ArrayMaxSize(MAX_BULK_IDS) @IsUUID('all', { each: true }) ids!: string[];
}

/** Body of PUT/POST /api/ciphers/move. */
export class CipherMoveRequestDto {
  @IsArray() @ArrayMaxSize(MAX_BULK_IDS) @IsUUID('all', { each: true }) ids!: string[];
  @IsOptional() @IsUUID('all') folderId?: string | null;
}

/** Body of POST /api/ciphers/purge. */
export class PurgeRequestDto {
  @IsDefined() @IsString() @MaxLength(1024) masterPasswordHash!: string;
}

/** Most items one bulk share or bulk collection change may name (bounded further by the request body limit). */
export const MAX_BULK_ITEMS = 10_000;

/**
 * Body of the `-admin` multi-item routes (`DELETE /api/ciphers/admin`, `PUT …/delete-admin`, `PUT …/restore-admin`):
 * the ids and the organization they are in (required there: without it the route answers 404, as upstream).
 */
export class CipherAdminIdsRequestDto extends CipherIdsRequestDto {
  @IsOptional() @IsUUID('all') organizationId?: string | null;
}

/** Body of POST /api/ciphers/bulk-collections: adds the ciphers to the collections, or removes them (never replaces). */
export class CipherBulkCollectionsRequestDto {
  @IsDefined() @IsUUID('all') organizationId!: string;
  @IsArray() @ArrayMaxSize(MAX_BULK_ITEMS) @IsUUID('all', { each: true }) cipherIds!: string[];
  @IsArray() @ArrayMaxSize(1_000) @IsUUID('all', { each: true }) collectionIds!: string[];
  @IsOptional() @IsBoolean() removeCollections?: boolean | null;
}

/** A cipher of a bulk share: the request of a single cipher with that cipher's id. */
export class CipherWithIdRequestDto extends CipherRequestDto {
  @IsDefined() @IsUUID('all') id!: string;
}

/** Body of PUT/POST /api/ciphers/share: personal ciphers re-encrypted with the organization key, all into the same collections. */
export class CipherBulkShareRequestDto {
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(MAX_BULK_ITEMS) @ValidateNested({ each: true }) @Type(() => CipherWithIdRequestDto)
  ciphers!: CipherWithIdRequestDto[];

  @IsArray() @ArrayMaxSize(1_000) @IsUUID('all', { each: true }) collectionIds!: string[];
}
