import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsDefined, IsInt, IsOptional, IsString, IsUUID, MaxLength, Min, ValidateNested } from 'class-validator';
import { IsEncString } from '../../common/validation/is-enc-string';
import { MAX_FOLDER_NAME_LENGTH } from '../../folders/dto/folder-request.dto';
import { CipherRequestDto } from './cipher-request.dto';

export const MAX_IMPORT_CIPHERS = 10_000;
export const MAX_IMPORT_FOLDERS = 5_000;

export class ImportFolderDto {
  /** An existing folder of the user to reuse; otherwise a new folder is created. */
  @IsOptional() @IsUUID('all') id?: string | null;
  @IsDefined() @IsString() @MaxLength(MAX_FOLDER_NAME_LENGTH) @IsEncString() name!: string;
}

/** Cipher index (`key`) → folder index (`value`). */
export class FolderRelationshipDto {
  @IsInt() @Min(0) key!: number;
  @IsInt() @Min(0) value!: number;
}

/** Body of POST /api/ciphers/import. */
export class ImportRequestDto {
  @IsArray() @ArrayMaxSize(MAX_IMPORT_CIPHERS) @ValidateNested({ each: true }) @Type(() => CipherRequestDto)
  ciphers!: CipherRequestDto[];

  @IsOptional() @IsArray() @ArrayMaxSize(MAX_IMPORT_FOLDERS) @ValidateNested({ each: true }) @Type(() => ImportFolderDto)
  folders?: ImportFolderDto[] | null;

  @IsOptional() @IsArray() @ArrayMaxSize(MAX_IMPORT_CIPHERS) @ValidateNested({ each: true }) @Type(() => FolderRelationshipDto)
  folderRelationships?: FolderRelationshipDto[] | null;
}

export const MAX_IMPORT_COLLECTIONS = 5_000;

/** A collection of an organization import: an existing collection of the organization to reuse (by id), or a new one. */
export class ImportCollectionDto {
  @IsOptional() @IsUUID('all') id?: string | null;
  @IsDefined() @IsString() @MaxLength(10_000) @IsEncString() name!: string;
  @IsOptional() @IsString() @MaxLength(300) externalId?: string | null;
}

/** Cipher index (`key`) → collection index (`value`). */
export class CollectionRelationshipDto {
  @IsInt() @Min(0) key!: number;
  @IsInt() @Min(0) value!: number;
}

/** Body of POST /api/ciphers/import-organization: items of the organization, its collections, and (for the importer) folders. */
export class ImportOrganizationRequestDto {
  @IsArray() @ArrayMaxSize(MAX_IMPORT_CIPHERS) @ValidateNested({ each: true }) @Type(() => CipherRequestDto)
  ciphers!: CipherRequestDto[];

  @IsOptional() @IsArray() @ArrayMaxSize(MAX_IMPORT_COLLECTIONS) @ValidateNested({ each: true }) @Type(() => ImportCollectionDto)
  collections?: ImportCollectionDto[] | null;

  /** A cipher may be in several collections: up to four links per cipher. */
  @IsOptional() @IsArray() @ArrayMaxSize(4 * MAX_IMPORT_CIPHERS) @ValidateNested({ each: true }) @Type(() => CollectionRelationshipDto)
  collectionRelationships?: CollectionRelationshipDto[] | null;

  @IsOptional() @IsArray() @ArrayMaxSize(MAX_IMPORT_FOLDERS) @ValidateNested({ each: true }) @Type(() => ImportFolderDto)
  folders?: ImportFolderDto[] | null;

  @IsOptional() @IsArray() @ArrayMaxSize(MAX_IMPORT_CIPHERS) @ValidateNested({ each: true }) @Type(() => FolderRelationshipDto)
  folderRelationships?: FolderRelationshipDto[] | null;
}
