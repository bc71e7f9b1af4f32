import { Allow, IsDefined, IsEmail, IsInt, IsNotEmpty, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';

/** Wait times the official request models accept (Range(1, short.MaxValue)). */
const MAX_WAIT_TIME_DAYS = 32_767;

/**
 * What an invitation and an update both carry: the access `type` (a number or its name, "0"/"View", "1"/"Takeover",
 * as Vaultwarden reads it: checked by the service, which answers Vaultwarden's message) and the wait time.
 */
abstract class EmergencyAccessGrantRequestDto {
  @IsDefined()
  @Allow()
  type!: unknown;

  @IsInt()
  @Min(1)
  @Max(MAX_WAIT_TIME_DAYS)
  waitTimeDays!: number;
}

/** POST /api/emergency-access/invite (official EmergencyAccessInviteRequestModel). */
export class EmergencyAccessInviteRequestDto extends EmergencyAccessGrantRequestDto {
  @IsEmail({}, { message: 'The Email field is not a supported e-mail address format.' })
  @MaxLength(256)
  email!: string;
}

/** PUT/POST /api/emergency-access/{id} (official EmergencyAccessUpdateRequestModel). */
export class EmergencyAccessUpdateRequestDto extends EmergencyAccessGrantRequestDto {
  @IsOptional()
  @IsString()
  @MaxLength(10_000)
  keyEncrypted?: string | null;
}

/** POST /api/emergency-access/{id}/accept: the token of the invitation link. */
export class EmergencyAccessAcceptRequestDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(8192)
  token!: string;
}

/** POST /api/emergency-access/{id}/confirm: the grantor's user key wrapped to the grantee's public key. */
export class EmergencyAccessConfirmRequestDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(10_000)
  key!: string;
}

/** POST /api/emergency-access/{id}/password (official EmergencyAccessPasswordRequestModel). */
export class EmergencyAccessPasswordRequestDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(300)
  newMasterPasswordHash!: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(10_000)
  key!: string;
}

/** GET /api/emergency-access/{id}/{cipherId}/attachment/{attachmentId}: the grant, the grantor's cipher, the attachment. */
export class EmergencyAccessAttachmentParamsDto {
  @IsUUID('all', { message: 'id must be a UUID' })
  id!: string;

  @IsUUID('all', { message: 'cipherId must be a UUID' })
  cipherId!: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  attachmentId!: string;
}
