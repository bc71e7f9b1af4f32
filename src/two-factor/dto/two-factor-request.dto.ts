import { Transform, Type } from 'class-transformer';
import { IsEmail, IsInt, IsObject, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

/** Numbers sent as strings too (Vaultwarden's NumberOrString): "0" and 0 alike. */
const toNumber = ({ value }: { value: unknown }): unknown => (typeof value === 'string' && /^-?\d{1,9}$/.test(value.trim()) ? Number(value.trim()) : value);
/** Codes sent as numbers too (older clients): 123456 and "123456" alike. */
const toText = ({ value }: { value: unknown }): unknown => (typeof value === 'number' && Number.isFinite(value) ? String(value) : value);
/** An authenticator code sent as a number lost its leading zeros (012345 arrives as 12345): six digits again. */
const toTotpText = ({ value }: { value: unknown }): unknown =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0 && value < 1_000_000 ? String(value).padStart(6, '0') : toText({ value });

/**
 * bitwarden/server's SecretVerificationRequestModel: the master password hash, or an emailed OTP
 * (POST /api/accounts/request-otp), proves the user.
 */
export class SecretVerificationDto {
  @IsOptional() @IsString() @MaxLength(1024) masterPasswordHash?: string;
  @IsOptional() @IsString() @MaxLength(64) otp?: string;
}

/** A management call: the token of an earlier get-* call (current clients), or the secret itself (older clients, Vaultwarden). */
export class UserVerificationDto extends SecretVerificationDto {
  @IsOptional() @IsString() @MaxLength(4096) userVerificationToken?: string;
}

/** PUT/POST /api/two-factor/authenticator. */
export class UpdateAuthenticatorDto extends UserVerificationDto {
  @IsString() @MaxLength(128) key!: string;
  @Transform(toTotpText) @IsString() @MaxLength(64) token!: string;
}

/** DELETE /api/two-factor/authenticator: the key being removed, with the token of get-authenticator (or the password). */
export class DeleteAuthenticatorDto extends UserVerificationDto {
  @IsString() @MaxLength(128) key!: string;
  @IsOptional() @Transform(toNumber) @IsInt() type?: number;
}

/** PUT/POST /api/two-factor/disable. */
export class DisableTwoFactorDto extends UserVerificationDto {
  @Transform(toNumber) @IsInt() @Min(0) @Max(255) type!: number;
}

/** POST /api/two-factor/recover (no authentication): turns two-step login off with the recovery code. */
export class TwoFactorRecoveryDto {
  @IsString() @MaxLength(256) email!: string;
  @IsString() @MaxLength(1024) masterPasswordHash!: string;
  @IsString() @MaxLength(128) recoveryCode!: string;
}

/** PUT/POST /api/two-factor/webauthn: the attestation of a new security key. */
export class UpdateWebAuthnDto extends UserVerificationDto {
  @Transform(toNumber) @IsInt() @Min(1) @Max(5) id!: number;
  @IsOptional() @IsString() @MaxLength(50) name?: string;
  /** Kept as sent: read by webauthn.ts (both field spellings of the clients). */
  @IsObject() deviceResponse!: Record<string, unknown>;
}

/** DELETE /api/two-factor/webauthn. */
export class DeleteWebAuthnDto extends UserVerificationDto {
  @Transform(toNumber) @IsInt() @Min(1) @Max(5) id!: number;
}

/** POST /api/two-factor/send-email: a setup code to this address. */
export class EmailSetupDto extends UserVerificationDto {
  @IsEmail() @MaxLength(256) email!: string;
}

/** PUT/POST /api/two-factor/email: the setup code, to turn email two-step login on. */
export class UpdateEmailDto extends EmailSetupDto {
  @Transform(toText) @IsString() @MaxLength(64) token!: string;
}

/** POST /api/two-factor/send-email-login (no authentication): a login code for an account that passed its password. */
export class EmailLoginDto extends SecretVerificationDto {
  @IsString() @MaxLength(256) email!: string;
  @IsOptional() @IsString() @MaxLength(64) deviceIdentifier?: string;
  @IsOptional() @IsString() @MaxLength(64) authRequestId?: string;
  @IsOptional() @IsString() @MaxLength(64) authRequestAccessCode?: string;
  @IsOptional() @IsString() @MaxLength(4096) ssoEmail2FaSessionToken?: string;
}

/** POST /api/accounts/verify-otp (the clients send `otp`; Vaultwarden also reads `OTP`, which the key-case pipe folds). */
export class VerifyOtpDto {
  @Transform(toText) @IsString() @MaxLength(64) otp!: string;
}

/** GET /api/organizations/{id}/two-factor. */
export class OrganizationIdParamDto {
  @Type(() => String) @IsString() @MaxLength(64) id!: string;
}
