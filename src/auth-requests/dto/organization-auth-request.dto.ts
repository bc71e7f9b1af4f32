import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsOptional, IsString, IsUUID, MaxLength, ValidateNested } from 'class-validator';

/** Route parameters of /api/organizations/{orgId}/auth-requests. */
export class OrganizationParamDto {
  @IsUUID('all', { message: 'orgId must be a UUID' }) orgId!: string;
}

/** Route parameters of /api/organizations/{orgId}/auth-requests/{requestId}. */
export class OrganizationRequestParamDto extends OrganizationParamDto {
  @IsUUID('all', { message: 'requestId must be a UUID' }) requestId!: string;
}

/** bitwarden/server AdminAuthRequestUpdateRequestModel: the admin's answer to one request. */
export class AdminAuthRequestUpdateDto {
  @IsBoolean() requestApproved!: boolean;
  /** The requester's user key encrypted to the request's public key (type 4); required to approve. */
  @IsOptional() @IsString() @MaxLength(20_000) encryptedUserKey?: string | null;
}

/** bitwarden/server BulkDenyAdminAuthRequestRequestModel. */
export class BulkDenyAuthRequestsDto {
  @IsArray() @ArrayMaxSize(1000) @IsUUID('all', { each: true }) ids!: string[];
}

/** One item of bitwarden/server OrganizationAuthRequestUpdateManyRequestModel[] (bulk approve or deny). */
export class OrganizationAuthRequestUpdateManyItemDto {
  @IsUUID('all') id!: string;
  @IsOptional() @IsString() @MaxLength(20_000) key?: string | null;
  @IsBoolean() approved!: boolean;
}

/** Holder used to validate the bare array body of the bulk update. */
export class OrganizationAuthRequestUpdateManyDto {
  @IsArray() @ArrayMaxSize(1000) @ValidateNested({ each: true }) @Type(() => OrganizationAuthRequestUpdateManyItemDto)
  items!: OrganizationAuthRequestUpdateManyItemDto[];
}

/** bitwarden/server PendingOrganizationAuthRequestResponseModel. */
export interface PendingOrganizationAuthRequestResponseDto {
  id: string;
  userId: string;
  organizationUserId: string;
  email: string;
  publicKey: string;
  requestDeviceIdentifier: string;
  requestDeviceType: string;
  requestIpAddress: string;
  requestCountryName: null;
  creationDate: string;
  object: 'pending-org-auth-request';
}
