import { Type } from 'class-transformer';
import { IsBoolean, IsDefined, IsEmail, IsOptional, IsString, MaxLength, ValidateNested } from 'class-validator';
import { IsEncString } from '../../common/validation/is-enc-string';

/** The organization's RSA key pair: public key (SPKI, base64) and private key wrapped by the organization key. */
export class OrganizationKeysRequestDto {
  @IsDefined() @IsString() @MaxLength(10_000) publicKey!: string;
  @IsDefined() @IsString() @MaxLength(10_000) @IsEncString() encryptedPrivateKey!: string;
}

/**
 * POST /api/organizations as the web vault sends it. Plan, payment and seat fields are cloud-only and ignored
 * (stripped by the validation whitelist).
 */
export class OrganizationCreateRequestDto {
  @IsDefined() @IsString() @MaxLength(50) name!: string;
  @IsDefined() @IsString() @MaxLength(256) @IsEmail() billingEmail!: string;
  /** The organization key wrapped to the creator's public key (EncString type 4). */
  @IsDefined() @IsString() @MaxLength(10_000) @IsEncString() key!: string;
  @IsOptional() @ValidateNested() @Type(() => OrganizationKeysRequestDto) keys?: OrganizationKeysRequestDto | null;
  /** The first collection's name, under the organization key. */
  @IsOptional() @IsString() @MaxLength(10_000) @IsEncString() collectionName?: string | null;
}

/** PUT /api/organizations/{id}: every field optional (official model). */
export class OrganizationUpdateRequestDto {
  @IsOptional() @IsString() @MaxLength(50) name?: string | null;
  @IsOptional() @IsString() @MaxLength(256) @IsEmail() billingEmail?: string | null;
  @IsOptional() @ValidateNested() @Type(() => OrganizationKeysRequestDto) keys?: OrganizationKeysRequestDto | null;
}

/** PUT /api/organizations/{id}/collection-management. */
export class CollectionManagementRequestDto {
  @IsDefined() @IsBoolean() limitCollectionCreation!: boolean;
  @IsDefined() @IsBoolean() limitCollectionDeletion!: boolean;
  @IsOptional() @IsBoolean() limitItemDeletion?: boolean;
  @IsOptional() @IsBoolean() allowAdminAccessToAllCollectionItems?: boolean;
}

/** DELETE /api/organizations/{id} (and POST …/delete): the owner's master password hash. */
export class OrganizationDeleteRequestDto {
  @IsDefined() @IsString() @MaxLength(1024) masterPasswordHash!: string;
}
