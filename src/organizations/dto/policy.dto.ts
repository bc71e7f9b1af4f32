import { Type } from 'class-transformer';
import { IsBoolean, IsDefined, IsEmail, IsObject, IsOptional, IsString, IsUUID, MaxLength, ValidateNested } from 'class-validator';
import { IsEncString } from '../../common/validation/is-enc-string';

/** `{enabled, data}`: the policy part of a save (bitwarden/server PolicyRequestModel). `data` is stored as sent. */
export class PolicyRequestDto {
  @IsDefined({ message: 'The Enabled field is required.' }) @IsBoolean() enabled!: boolean;
  @IsOptional() @IsObject() data?: Record<string, unknown> | null;
}

/**
 * PUT /api/organizations/{id}/policies/{type} (and …/vnext): current clients send SavePolicyRequest
 * `{policy: {enabled, data}, metadata}`; clients before 2026.4 sent `{enabled, data}` alone. Both are taken.
 */
export class PolicySaveRequestDto {
  @IsOptional() @ValidateNested() @Type(() => PolicyRequestDto) policy?: PolicyRequestDto | null;
  /** Per-type extras (policy 5: `defaultUserCollectionName` for "My Items" collections, not built here). */
  @IsOptional() @IsObject() metadata?: Record<string, unknown> | null;
  @IsOptional() @IsBoolean() enabled?: boolean;
  @IsOptional() @IsObject() data?: Record<string, unknown> | null;
}

/** Query of GET /api/organizations/{id}/policies/token (anonymous: the invited user's link). */
export class PolicyTokenQueryDto {
  @IsDefined() @IsString() @MaxLength(256) @IsEmail() email!: string;
  @IsDefined() @IsString() @MaxLength(4096) token!: string;
  @IsDefined() @IsUUID('all') organizationUserId!: string;
}

/** Route parameters of /api/organizations/{id}/policies/{type}; the type is checked by the service, after the caller's rights. */
export class PolicyParamDto {
  @IsUUID('all', { message: 'id must be a UUID' }) id!: string;
  @IsString() type!: string;
}

/** PUT /api/organizations/{id}/users/{userId}/reset-password-enrollment: a null key withdraws. */
export class ResetPasswordEnrollmentRequestDto {
  @IsOptional() @IsString() @MaxLength(10_000) @IsEncString() resetPasswordKey?: string | null;
  @IsOptional() @IsString() @MaxLength(1_000) masterPasswordHash?: string | null;
}

/** Route parameters of …/users/{userId}/reset-password-enrollment (a user id, not a member id). */
export class UserParamDto {
  @IsUUID('all', { message: 'id must be a UUID' }) id!: string;
  @IsUUID('all', { message: 'userId must be a UUID' }) userId!: string;
}

/**
 * `policy` as the Admin Console reads it (bitwarden/server PolicyStatusResponseModel): no id or revision date,
 * `data` an object (empty when none), and whether the policy may be switched now.
 */
export interface PolicyStatusResponseDto {
  organizationId: string;
  type: number;
  data: Record<string, unknown>;
  enabled: boolean;
  canToggleState: boolean;
  object: 'policy';
}

/** GET …/users/{id}/reset-password-details (OrganizationUserResetPasswordDetailsResponseModel). */
export interface ResetPasswordDetailsResponseDto {
  organizationUserId: string;
  kdf: number;
  kdfIterations: number;
  kdfMemory: number | null;
  kdfParallelism: number | null;
  masterPasswordSalt: string;
  resetPasswordKey: string | null;
  encryptedPrivateKey: string | null;
  object: 'organizationUserResetPasswordDetails';
}
