import { Injectable, PipeTransform } from '@nestjs/common';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsDefined, IsOptional, IsString, IsUUID, isUUID, MaxLength, ValidateNested } from 'class-validator';
import { ErrorCode } from '../../common/errors/error-code';
import { VaultError } from '../../common/errors/vault-error';
import { CollectionSelectionDto } from './member-request.dto';

/** Most members or collections one group request may list. */
const MAX_ENTRIES = 10_000;

/**
 * POST /api/organizations/{id}/groups and PUT …/groups/{groupId}: the name is plain text (official: at most
 * 100). `collections` ids are collection ids, `users` member ids; on an edit, null leaves either unchanged.
 */
export class GroupRequestDto {
  @IsDefined() @IsString() @MaxLength(100) name!: string;
  /** Kept as given (Vaultwarden); the official server ignores it. */
  @IsOptional() @IsString() @MaxLength(300) externalId?: string | null;
  @IsOptional() @IsArray() @ArrayMaxSize(MAX_ENTRIES) @ValidateNested({ each: true }) @Type(() => CollectionSelectionDto) collections?: CollectionSelectionDto[] | null;
  @IsOptional() @IsArray() @ArrayMaxSize(MAX_ENTRIES) @IsUUID('all', { each: true }) users?: string[] | null;
}

/** DELETE /api/organizations/{id}/groups (bulk). */
export class GroupIdsRequestDto {
  @IsDefined() @IsArray() @ArrayMinSize(1) @ArrayMaxSize(1000) @IsUUID('all', { each: true }) ids!: string[];
}

/** PUT /api/organizations/{id}/users/{memberId}/groups (Vaultwarden). */
export class MemberGroupsRequestDto {
  @IsDefined() @IsArray() @ArrayMaxSize(1000) @IsUUID('all', { each: true }) groupIds!: string[];
}

export class GroupParamDto {
  @IsUUID('all', { message: 'id must be a UUID' }) id!: string;
  @IsUUID('all', { message: 'groupId must be a UUID' }) groupId!: string;
}

export class GroupMemberParamDto extends GroupParamDto {
  @IsUUID('all', { message: 'memberId must be a UUID' }) memberId!: string;
}

/** PUT …/groups/{groupId}/users: the body is a bare JSON array of member ids (no DTO can describe it). */
@Injectable()
export class MemberIdArrayPipe implements PipeTransform<unknown, string[]> {
  transform(value: unknown): string[] {
    if (!Array.isArray(value) || value.length > MAX_ENTRIES || !value.every((id) => typeof id === 'string' && isUUID(id, 'all'))) {
      throw new VaultError(ErrorCode.ValidationFailed, undefined, { validationErrors: { '': ['The body must be a JSON array of member ids.'] } });
    }
    return value as string[];
  }
}
