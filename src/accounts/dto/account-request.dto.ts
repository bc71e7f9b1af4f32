import { Transform, Type } from 'class-transformer';
import { IsEmail, IsIn, IsInt, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';

export class MasterPasswordDto {
  @IsString() @MaxLength(1024) masterPasswordHash!: string;
}

export class OptionalMasterPasswordDto {
  @IsOptional() @IsString() @MaxLength(1024) masterPasswordHash?: string;
  @IsOptional() @IsString() @MaxLength(64) otp?: string;
}

export class UpdateProfileDto {
  @IsOptional() @IsString() @MaxLength(255) name?: string | null;
  @IsOptional() @IsString() @MaxLength(16) culture?: string | null;
  @IsOptional() @IsString() @MaxLength(1000) masterPasswordHint?: string | null;
  @IsOptional() @IsString() @MaxLength(16) avatarColor?: string | null;
}

export class ChangePasswordDto {
  @IsString() @MaxLength(1024) masterPasswordHash!: string;
  @IsString() @MaxLength(1024) newMasterPasswordHash!: string;
  @IsString() @MaxLength(10_000) key!: string;
  @IsOptional() @IsString() @MaxLength(1000) masterPasswordHint?: string | null;
}

export class SetKeysDto {
  @IsString() @MaxLength(10_000) publicKey!: string;
  @IsString() @MaxLength(20_000) encryptedPrivateKey!: string;
}

export class UserKeyIdDto {
  @IsString() @Matches(/^[0-9a-f]{32}$/, { message: 'userKeyId must be 32 lowercase hex digits' }) userKeyId!: string;
}

/** POST /api/accounts/verify-email-token: the link's user id and token. */
export class VerifyEmailTokenDto {
  @IsUUID('all') userId!: string;
  @IsString() @MaxLength(4096) token!: string;
}

/** POST /api/accounts/email-token: the code goes to `newEmail`. */
export class EmailTokenDto {
  @IsEmail({}, { message: 'The NewEmail field is not a supported e-mail address format.' }) @MaxLength(255) newEmail!: string;
  @IsString() @MaxLength(1024) masterPasswordHash!: string;
}

/** POST /api/accounts/email: the new address with the mailed code, and the master password re-derived with it as salt. */
export class ChangeEmailDto {
  @IsEmail({}, { message: 'The NewEmail field is not a supported e-mail address format.' }) @MaxLength(255) newEmail!: string;
  @IsString() @MaxLength(1024) masterPasswordHash!: string;
  @IsString() @MaxLength(1024) newMasterPasswordHash!: string;
  @IsString() @MaxLength(10_000) key!: string;
  /** Clients send the code as a string; older ones as a number (Vaultwarden accepts both). */
  @IsOptional() @Transform(({ value }: { value: unknown }) => (typeof value === 'number' ? String(value) : value)) @IsString() @MaxLength(64) token?: string;
  @IsOptional() @IsString() @MaxLength(1000) masterPasswordHint?: string | null;
}

/** PUT/POST /api/accounts/avatar. */
export class AvatarDto {
  @IsOptional() @IsString() @MaxLength(16) avatarColor?: string | null;
}

/** POST /api/accounts/password-hint and /api/accounts/delete-recover (no session). */
export class EmailOnlyDto {
  @IsString() @MaxLength(256) email!: string;
}

/** POST /api/accounts/delete-recover-token: the link's user id and token. */
export class DeleteRecoverTokenDto {
  @IsUUID('all') userId!: string;
  @IsString() @MaxLength(4096) token!: string;
}

/** POST /api/accounts/set-password: the first master password of an account without keys (official SetPasswordRequestModel). */
export class SetPasswordDto {
  @IsString() @MaxLength(1024) masterPasswordHash!: string;
  @IsString() @MaxLength(10_000) key!: string;
  @IsOptional() @IsString() @MaxLength(1000) masterPasswordHint?: string | null;
  @IsOptional() @ValidateNested() @Type(() => SetKeysDto) keys?: SetKeysDto | null;
  @IsInt() @IsIn([0, 1]) kdf!: number;
  @IsInt() @Min(1) @Max(10_000_000) kdfIterations!: number;
  @IsOptional() @IsInt() @Min(1) @Max(1024) kdfMemory?: number | null;
  @IsOptional() @IsInt() @Min(1) @Max(16) kdfParallelism?: number | null;
  @IsOptional() @IsString() @MaxLength(256) orgIdentifier?: string | null;
}
