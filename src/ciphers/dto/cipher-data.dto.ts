import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsDefined, IsInt, IsISO8601, IsOptional, IsString, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { IsEncString } from '../../common/validation/is-enc-string';

/**
 * Rules for the type-specific objects of a cipher (login, card, identity, secure note, SSH key). These objects
 * are stored as the client sent them (unknown keys kept, `response` dropped), so these classes only check the
 * fields the server knows; see `ConformsTo`.
 */

/** Longest accepted EncString in most fields (Bitwarden caps notes at 10,000 encrypted characters). */
export const MAX_ENC_LENGTH = 10_000;
/** SSH private keys (RSA 8192 in OpenSSH form) are longer than any other field. */
export const MAX_SSH_PRIVATE_KEY_LENGTH = 50_000;
export const MAX_URIS = 1_000;
export const MAX_FIDO2_CREDENTIALS = 100;
/** Largest JSON text of one type-specific object, unknown keys included. */
export const MAX_CIPHER_DATA_JSON = 1_000_000;

function EncField(max = MAX_ENC_LENGTH): PropertyDecorator {
  return (target, key) => {
    IsOptional()(target, key);
    IsString()(target, key);
    MaxLength(max)(target, key);
    IsEncString()(target, key);
  };
}

export class LoginUriDto {
  @EncField() uri?: string | null;
  @EncField() uriChecksum?: string | null;
  /** UriMatchType 0–5 (domain, host, starts with, exact, regex, never). */
  @IsOptional() @IsInt() @Min(0) @Max(5) match?: number | null;
}

export class Fido2CredentialDto {
  @EncField() credentialId?: string | null;
  @EncField() keyType?: string | null;
  @EncField() keyAlgorithm?: string | null;
  @EncField() keyCurve?: string | null;
  @EncField() keyValue?: string | null;
  @EncField() rpId?: string | null;
  @EncField() userHandle?: string | null;
  @EncField() userName?: string | null;
  @EncField() counter?: string | null;
  @EncField() rpName?: string | null;
  @EncField() userDisplayName?: string | null;
  @EncField() discoverable?: string | null;
  @IsOptional() @IsISO8601() creationDate?: string | null;
}

export class LoginDataDto {
  @EncField() username?: string | null;
  @EncField() password?: string | null;
  @EncField() totp?: string | null;
  @EncField() uri?: string | null;
  @IsOptional() @IsArray() @ArrayMaxSize(MAX_URIS) @ValidateNested({ each: true }) @Type(() => LoginUriDto) uris?: LoginUriDto[] | null;
  @IsOptional() @IsISO8601() passwordRevisionDate?: string | null;
  @IsOptional() @IsBoolean() autofillOnPageLoad?: boolean | null;
  @IsOptional() @IsArray() @ArrayMaxSize(MAX_FIDO2_CREDENTIALS) @ValidateNested({ each: true }) @Type(() => Fido2CredentialDto) fido2Credentials?: Fido2CredentialDto[] | null;
}

export class SecureNoteDataDto {
  /** SecureNoteType: 0 generic. */
  @IsDefined() @IsInt() @Min(0) @Max(255) type!: number;
}

export class CardDataDto {
  @EncField() cardholderName?: string | null;
  @EncField() brand?: string | null;
  @EncField() number?: string | null;
  @EncField() expMonth?: string | null;
  @EncField() expYear?: string | null;
  @EncField() code?: string | null;
}

export class IdentityDataDto {
  @EncField() title?: string | null;
  @EncField() firstName?: string | null;
  @EncField() middleName?: string | null;
  @EncField() lastName?: string | null;
  @EncField() address1?: string | null;
  @EncField() address2?: string | null;
  @EncField() address3?: string | null;
  @EncField() city?: string | null;
  @EncField() state?: string | null;
  @EncField() postalCode?: string | null;
  @EncField() country?: string | null;
  @EncField() company?: string | null;
  @EncField() email?: string | null;
  @EncField() phone?: string | null;
  @EncField() ssn?: string | null;
  @EncField() username?: string | null;
  @EncField() passportNumber?: string | null;
  @EncField() licenseNumber?: string | null;
}

export class SshKeyDataDto {
  @EncField(MAX_SSH_PRIVATE_KEY_LENGTH) privateKey?: string | null;
  @EncField() publicKey?: string | null;
  @EncField() keyFingerprint?: string | null;
}

/** Known keys of each type object, with the value the response shows when the client did not send one. */
export const TYPE_DATA_DEFAULTS = {
  login: { username: null, password: null, totp: null, uri: null, uris: null, passwordRevisionDate: null, fido2Credentials: null, autofillOnPageLoad: null },
  secureNote: { type: 0 },
  card: { cardholderName: null, brand: null, number: null, expMonth: null, expYear: null, code: null },
  identity: {
    title: null, firstName: null, middleName: null, lastName: null, address1: null, address2: null, address3: null, city: null, state: null,
    postalCode: null, country: null, company: null, email: null, phone: null, ssn: null, username: null, passportNumber: null, licenseNumber: null,
  },
  sshKey: { privateKey: null, publicKey: null, keyFingerprint: null },
} as const;
