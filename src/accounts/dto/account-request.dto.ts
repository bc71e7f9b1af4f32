import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';

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
