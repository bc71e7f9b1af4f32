import { IsBoolean, IsEmail, IsIn, IsInt, IsOptional, IsString, MaxLength } from 'class-validator';

export class CreateAuthRequestDto {
  @IsEmail() @MaxLength(255) email!: string;
  @IsString() @MaxLength(10_000) publicKey!: string;
  @IsString() @MaxLength(64) deviceIdentifier!: string;
  @IsString() @MaxLength(64) accessCode!: string;
  /** 0 AuthenticateAndUnlock, 1 Unlock, 2 AdminApproval. */
  @IsInt() @IsIn([0, 1, 2]) type!: number;
  @IsOptional() @IsString() @MaxLength(255) fingerprintPhrase?: string;
}

export class AnswerAuthRequestDto {
  @IsString() @MaxLength(64) deviceIdentifier!: string;
  @IsBoolean() requestApproved!: boolean;
  @IsOptional() @IsString() @MaxLength(20_000) key?: string | null;
  @IsOptional() @IsString() @MaxLength(20_000) masterPasswordHash?: string | null;
}
