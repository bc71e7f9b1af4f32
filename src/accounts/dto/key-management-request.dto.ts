import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsDefined, IsIn, IsInt, IsObject, IsOptional, IsString, IsUUID, MaxLength, ValidateNested } from 'class-validator';
import { CipherRequestDto } from '../../ciphers/dto/cipher-request.dto';
import { IsEncString } from '../../common/validation/is-enc-string';

/** Most items of one kind a rotation may carry (a vault with more cannot rotate in one request). */
export const MAX_ROTATION_ITEMS = 50_000;

/**
 * KDF settings of a master password request (bitwarden/server KdfRequestModel). Only the type is checked here:
 * the ranges are checked by kdfProblem so that the client sees the official messages.
 */
export class KdfRequestDto {
  @IsInt() @IsIn([0, 1]) kdfType!: number;
  @IsInt() iterations!: number;
  @IsOptional() @IsInt() memory?: number | null;
  @IsOptional() @IsInt() parallelism?: number | null;
}

/** bitwarden/server MasterPasswordAuthenticationDataRequestModel. */
export class MasterPasswordAuthenticationDataDto {
  @IsDefined() @IsObject() @ValidateNested() @Type(() => KdfRequestDto) kdf!: KdfRequestDto;
  @IsString() @MaxLength(1024) masterPasswordAuthenticationHash!: string;
  @IsString() @MaxLength(255) salt!: string;
}

/** bitwarden/server MasterPasswordUnlockDataRequestModel. */
export class MasterPasswordUnlockDataDto {
  @IsDefined() @IsObject() @ValidateNested() @Type(() => KdfRequestDto) kdf!: KdfRequestDto;
  @IsString() @MaxLength(10_000) @IsEncString() masterKeyWrappedUserKey!: string;
  @IsString() @MaxLength(255) salt!: string;
}

/**
 * POST /api/accounts/kdf. Current clients send `authenticationData` and `unlockData` (new hash and wrapped user key
 * under the new KDF); older ones the flat fields (kdf, kdfIterations, kdfMemory, kdfParallelism,
 * newMasterPasswordHash, key). `masterPasswordHash` is the current password, under the current KDF.
 */
export class ChangeKdfDto {
  @IsString() @MaxLength(1024) masterPasswordHash!: string;
  @IsOptional() @IsObject() @ValidateNested() @Type(() => MasterPasswordAuthenticationDataDto) authenticationData?: MasterPasswordAuthenticationDataDto | null;
  @IsOptional() @IsObject() @ValidateNested() @Type(() => MasterPasswordUnlockDataDto) unlockData?: MasterPasswordUnlockDataDto | null;
  @IsOptional() @IsInt() @IsIn([0, 1]) kdf?: number | null;
  @IsOptional() @IsInt() kdfIterations?: number | null;
  @IsOptional() @IsInt() kdfMemory?: number | null;
  @IsOptional() @IsInt() kdfParallelism?: number | null;
  @IsOptional() @IsString() @MaxLength(1024) newMasterPasswordHash?: string | null;
  @IsOptional() @IsString() @MaxLength(10_000) @IsEncString() key?: string | null;
}

/** The master password unlock of a rotation (web vault MasterPasswordUnlockDataRequest): same KDF and salt, new wrapped user key. */
export class RotationMasterPasswordUnlockDto {
  @IsInt() @IsIn([0, 1]) kdfType!: number;
  @IsInt() kdfIterations!: number;
  @IsOptional() @IsInt() kdfMemory?: number | null;
  @IsOptional() @IsInt() kdfParallelism?: number | null;
  @IsString() @MaxLength(255) email!: string;
  @IsOptional() @IsString() @MaxLength(255) salt?: string | null;
  @IsString() @MaxLength(1024) masterKeyAuthenticationHash!: string;
  @IsString() @MaxLength(10_000) @IsEncString() masterKeyEncryptedUserKey!: string;
  /** The web vault changes the master password and rotates in one request: the (new) hint; absent leaves it as it is. */
  @IsOptional() @IsString() @MaxLength(1000) masterPasswordHint?: string | null;
}

/** One emergency contact's copy of the new user key, wrapped to the grantee's public key. */
export class EmergencyAccessUnlockDto {
  @IsUUID('all') id!: string;
  @IsString() @MaxLength(10_000) @IsEncString() keyEncrypted!: string;
}

/** One organization's account recovery copy of the new user key, wrapped to the organization's public key. */
export class AccountRecoveryUnlockDto {
  @IsUUID('all') organizationId!: string;
  @IsString() @MaxLength(10_000) @IsEncString() resetPasswordKey!: string;
}

export class AccountUnlockDataDto {
  @IsDefined() @IsObject() @ValidateNested() @Type(() => RotationMasterPasswordUnlockDto) masterPasswordUnlockData!: RotationMasterPasswordUnlockDto;
  @IsOptional() @IsArray() @ArrayMaxSize(MAX_ROTATION_ITEMS) @ValidateNested({ each: true }) @Type(() => EmergencyAccessUnlockDto)
  emergencyAccessUnlockData?: EmergencyAccessUnlockDto[] | null;
  @IsOptional() @IsArray() @ArrayMaxSize(MAX_ROTATION_ITEMS) @ValidateNested({ each: true }) @Type(() => AccountRecoveryUnlockDto)
  organizationAccountRecoveryUnlockData?: AccountRecoveryUnlockDto[] | null;
  // passkeyUnlockData and deviceKeyUnlockData: this server stores no login passkeys and no trusted-device keys.
}

/** The newer form of the key pair (PublicKeyEncryptionKeyPairRequestModel). */
export class PublicKeyEncryptionKeyPairDto {
  @IsString() @MaxLength(20_000) @IsEncString() wrappedPrivateKey!: string;
  @IsString() @MaxLength(10_000) publicKey!: string;
}

/** The account key pair: the private key re-wrapped by the new user key, the public key unchanged. */
export class AccountKeysDto {
  @IsOptional() @IsString() @MaxLength(20_000) @IsEncString() userKeyEncryptedAccountPrivateKey?: string | null;
  @IsOptional() @IsString() @MaxLength(10_000) accountPublicKey?: string | null;
  @IsOptional() @IsObject() @ValidateNested() @Type(() => PublicKeyEncryptionKeyPairDto) publicKeyEncryptionKeyPair?: PublicKeyEncryptionKeyPairDto | null;
}

/** A personal item re-encrypted with the new user key (CipherWithIdRequestModel). */
export class RotationCipherDto extends CipherRequestDto {
  @IsUUID('all') id!: string;
}

/** A folder with its name re-encrypted. Some clients send a folder without id (bitwarden/clients#8453): skipped. */
export class RotationFolderDto {
  @IsOptional() @IsUUID('all') id?: string | null;
  @IsString() @MaxLength(10_000) @IsEncString() name!: string;
}

/** A Send with its key re-wrapped by the new user key; the rest of a Send is encrypted with that key and does not change. */
export class RotationSendDto {
  @IsUUID('all') id!: string;
  @IsString() @MaxLength(10_000) @IsEncString() key!: string;
}

export class AccountDataDto {
  @IsArray() @ArrayMaxSize(MAX_ROTATION_ITEMS) @ValidateNested({ each: true }) @Type(() => RotationCipherDto) ciphers!: RotationCipherDto[];
  @IsArray() @ArrayMaxSize(MAX_ROTATION_ITEMS) @ValidateNested({ each: true }) @Type(() => RotationFolderDto) folders!: RotationFolderDto[];
  @IsArray() @ArrayMaxSize(MAX_ROTATION_ITEMS) @ValidateNested({ each: true }) @Type(() => RotationSendDto) sends!: RotationSendDto[];
}

/** POST /api/accounts/key-management/rotate-user-account-keys (RotateUserAccountKeysAndDataRequestModel). */
export class RotateUserAccountKeysDto {
  @IsString() @MaxLength(1024) oldMasterKeyAuthenticationHash!: string;
  @IsDefined() @IsObject() @ValidateNested() @Type(() => AccountUnlockDataDto) accountUnlockData!: AccountUnlockDataDto;
  @IsDefined() @IsObject() @ValidateNested() @Type(() => AccountKeysDto) accountKeys!: AccountKeysDto;
  @IsDefined() @IsObject() @ValidateNested() @Type(() => AccountDataDto) accountData!: AccountDataDto;
}
