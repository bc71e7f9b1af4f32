import { Type } from 'class-transformer';
import { IsEmail, IsIn, IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min, ValidateNested } from 'class-validator';

export class KdfDto {
  @IsInt() @IsIn([0, 1]) kdfType!: number;
  @IsInt() @Min(1) @Max(10_000_000) iterations!: number;
  @IsOptional() @IsInt() @Min(1) @Max(1024) memory?: number | null;
  @IsOptional() @IsInt() @Min(1) @Max(16) parallelism?: number | null;
}

export class KeysDto {
  @IsString() @MaxLength(10_000) publicKey!: string;
  @IsString() @MaxLength(20_000) encryptedPrivateKey!: string;
}

export class MasterPasswordAuthenticationDto {
  @ValidateNested() @Type(() => KdfDto) kdf!: KdfDto;
  @IsString() @MaxLength(1024) masterPasswordAuthenticationHash!: string;
  @IsString() @MaxLength(255) salt!: string;
}

export class MasterPasswordUnlockDto {
  @ValidateNested() @Type(() => KdfDto) kdf!: KdfDto;
  @IsString() @MaxLength(10_000) masterKeyWrappedUserKey!: string;
  @IsString() @MaxLength(255) salt!: string;
}

export class SendVerificationEmailDto {
  @IsEmail({}, { message: 'The Email field is not a supported e-mail address format.' }) @MaxLength(255) email!: string;
  @IsOptional() @IsString() @MaxLength(255) name?: string | null;
  @IsOptional() receiveMarketingEmails?: boolean;
}

/** Every registration body: finish (nested or flat KDF, with or without top-level hash) and legacy register. */
export class RegisterDto {
  @IsEmail({}, { message: 'The Email field is not a supported e-mail address format.' }) @MaxLength(255) email!: string;
  @IsOptional() @IsString() @MaxLength(255) name?: string | null;
  @IsOptional() @IsString() @MaxLength(1024) masterPasswordHash?: string;
  @IsOptional() @IsString() @MaxLength(1000) masterPasswordHint?: string | null;
  @IsOptional() @IsString() @MaxLength(10_000) userSymmetricKey?: string;
  @IsOptional() @IsString() @MaxLength(10_000) key?: string;
  @IsOptional() @ValidateNested() @Type(() => KeysDto) userAsymmetricKeys?: KeysDto;
  @IsOptional() @ValidateNested() @Type(() => KeysDto) keys?: KeysDto;
  @IsOptional() @ValidateNested() @Type(() => MasterPasswordAuthenticationDto) masterPasswordAuthentication?: MasterPasswordAuthenticationDto;
  @IsOptional() @ValidateNested() @Type(() => MasterPasswordUnlockDto) masterPasswordUnlock?: MasterPasswordUnlockDto;
  @IsOptional() @IsInt() @IsIn([0, 1]) kdf?: number;
  @IsOptional() @IsInt() @Min(1) @Max(10_000_000) kdfIterations?: number;
  @IsOptional() @IsInt() @Min(1) @Max(1024) kdfMemory?: number | null;
  @IsOptional() @IsInt() @Min(1) @Max(16) kdfParallelism?: number | null;
  @IsOptional() @IsString() @MaxLength(4096) emailVerificationToken?: string;
  /** An organization invitation (the token of the invite link, with its member id): the invited address may register. */
  @IsOptional() @IsString() @MaxLength(8192) orgInviteToken?: string | null;
  @IsOptional() @IsUUID('all') organizationUserId?: string | null;
  /** An emergency access invitation (the token of the accept-emergency link, with the grant's id): likewise. */
  @IsOptional() @IsString() @MaxLength(8192) acceptEmergencyAccessInviteToken?: string | null;
  @IsOptional() @IsUUID('all') acceptEmergencyAccessId?: string | null;
}

/** POST /identity/accounts/register/verification-email-clicked: the web vault opened the emailed link. */
export class VerificationEmailClickedDto {
  @IsEmail({}, { message: 'The Email field is not a supported e-mail address format.' }) @MaxLength(255) email!: string;
  @IsString() @MaxLength(4096) emailVerificationToken!: string;
}

export class PreloginDto {
  @IsString() @MaxLength(255) email!: string;
}
