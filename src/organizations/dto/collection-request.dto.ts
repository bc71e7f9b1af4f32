import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsDefined, IsOptional, IsString, IsUUID, MaxLength, ValidateNested } from 'class-validator';
import { IsEncString } from '../../common/validation/is-enc-string';
import { CollectionSelectionDto } from './member-request.dto';

/**
 * POST /api/organizations/{id}/collections and PUT …/{collectionId}: `users` ids are member ids, `groups` ids
 * group ids (ignored while ORG_GROUPS_ENABLED is off); null leaves that access unchanged.
 */
export class CollectionRequestDto {
  @IsDefined() @IsString() @MaxLength(10_000) @IsEncString() name!: string;
  @IsOptional() @IsString() @MaxLength(300) externalId?: string | null;
  @IsOptional() @IsArray() @ArrayMaxSize(10_000) @ValidateNested({ each: true }) @Type(() => CollectionSelectionDto) users?: CollectionSelectionDto[] | null;
  @IsOptional() @IsArray() @ArrayMaxSize(10_000) @ValidateNested({ each: true }) @Type(() => CollectionSelectionDto) groups?: CollectionSelectionDto[] | null;
}

/** DELETE /api/organizations/{id}/collections (bulk). */
export class CollectionIdsRequestDto {
  @IsDefined() @IsArray() @ArrayMinSize(1) @ArrayMaxSize(1000) @IsUUID('all', { each: true }) ids!: string[];
}

export class CollectionParamDto {
  @IsUUID('all', { message: 'id must be a UUID' }) id!: string;
  @IsUUID('all', { message: 'collectionId must be a UUID' }) collectionId!: string;
}

/**
 * POST /api/organizations/{id}/collections/bulk-access: gives these members and groups this access to every one
 * of the collections (added, or updated when they had some); other access rows stay.
 */
export class CollectionBulkAccessRequestDto {
  @IsDefined() @IsArray() @ArrayMinSize(1) @ArrayMaxSize(1000) @IsUUID('all', { each: true }) collectionIds!: string[];
  @IsOptional() @IsArray() @ArrayMaxSize(10_000) @ValidateNested({ each: true }) @Type(() => CollectionSelectionDto) users?: CollectionSelectionDto[] | null;
  @IsOptional() @IsArray() @ArrayMaxSize(10_000) @ValidateNested({ each: true }) @Type(() => CollectionSelectionDto) groups?: CollectionSelectionDto[] | null;
}
