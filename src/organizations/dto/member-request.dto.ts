import { Type } from 'class-transformer';
import {
  ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsDefined, IsEmail, IsIn, IsObject, IsOptional, IsString, IsUUID, MaxLength, ValidateNested,
} from 'class-validator';
import { IsEncString } from '../../common/validation/is-enc-string';

/** Membership types a request may set: owner, admin, user, custom (3, Manager, no longer exists). */
export const SETTABLE_TYPES = [0, 1, 2, 4];

/** `SelectionReadOnly`: access to one collection (id = collection id). */
export class CollectionSelectionDto {
  @IsDefined() @IsUUID('all') id!: string;
  @IsOptional() @IsBoolean() readOnly?: boolean;
  @IsOptional() @IsBoolean() hidePasswords?: boolean;
  @IsOptional() @IsBoolean() manage?: boolean;
}

/** POST /api/organizations/{id}/users/invite. */
export class MemberInviteRequestDto {
  @IsDefined() @IsArray() @ArrayMinSize(1) @ArrayMaxSize(20) @IsEmail({}, { each: true }) @MaxLength(256, { each: true }) emails!: string[];
  @IsDefined() @IsIn(SETTABLE_TYPES) type!: number;
  @IsOptional() @IsObject() permissions?: Record<string, unknown> | null;
  @IsOptional() @IsArray() @ArrayMaxSize(1000) @ValidateNested({ each: true }) @Type(() => CollectionSelectionDto) collections?: CollectionSelectionDto[] | null;
  @IsOptional() @IsArray() @ArrayMaxSize(1000) @IsUUID('all', { each: true }) groups?: string[] | null;
}

/** PUT /api/organizations/{id}/users/{memberId}. */
export class MemberUpdateRequestDto {
  @IsDefined() @IsIn(SETTABLE_TYPES) type!: number;
  @IsOptional() @IsObject() permissions?: Record<string, unknown> | null;
  @IsOptional() @IsArray() @ArrayMaxSize(1000) @ValidateNested({ each: true }) @Type(() => CollectionSelectionDto) collections?: CollectionSelectionDto[] | null;
  @IsOptional() @IsArray() @ArrayMaxSize(1000) @IsUUID('all', { each: true }) groups?: string[] | null;
}

/** POST …/users/{memberId}/confirm: the organization key wrapped to the member's public key. */
export class MemberConfirmRequestDto {
  @IsDefined() @IsString() @MaxLength(10_000) @IsEncString() key!: string;
  @IsOptional() @IsString() @MaxLength(10_000) defaultUserCollectionName?: string | null;
}

export class MemberKeyDto {
  @IsDefined() @IsUUID('all') id!: string;
  @IsDefined() @IsString() @MaxLength(10_000) @IsEncString() key!: string;
}

/** POST …/users/confirm (bulk). */
export class MemberBulkConfirmRequestDto {
  @IsDefined() @IsArray() @ArrayMinSize(1) @ArrayMaxSize(1000) @ValidateNested({ each: true }) @Type(() => MemberKeyDto) keys!: MemberKeyDto[];
  @IsOptional() @IsString() @MaxLength(10_000) defaultUserCollectionName?: string | null;
}

/** `{ids}` of the bulk member routes (member ids). */
export class MemberIdsRequestDto {
  @IsDefined() @IsArray() @ArrayMinSize(1) @ArrayMaxSize(1000) @IsUUID('all', { each: true }) ids!: string[];
}

/** Route parameters of /api/organizations/{orgId}/users/{memberId}. */
export class MemberParamDto {
  @IsUUID('all', { message: 'id must be a UUID' }) id!: string;
  @IsUUID('all', { message: 'memberId must be a UUID' }) memberId!: string;
}
