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
