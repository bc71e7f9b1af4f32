import { Transform } from 'class-transformer';
import { IsBoolean, IsDefined, IsInt, IsISO8601, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { IsEncString } from '../../common/validation/is-enc-string';

/** The official attachment models cap their EncStrings at 1,000 characters. */
export const MAX_ATTACHMENT_ENC_LENGTH = 1_000;

/** POST /api/ciphers/{id}/attachment/v2 (`AttachmentRequestModel`, docs/attachments-plan.md §3.1). */
export class AttachmentRequestDto {
  @IsDefined() @IsString() @MaxLength(MAX_ATTACHMENT_ENC_LENGTH) @IsEncString() key!: string;
  @IsDefined() @IsString() @MaxLength(MAX_ATTACHMENT_ENC_LENGTH) @IsEncString() fileName!: string;
  /** Bytes of the encrypted file the client will upload; Vaultwarden also takes it as a string of digits. */
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' && /^-?\d{1,16}$/.test(value) ? Number(value) : value))
  @IsDefined() @IsInt() fileSize!: number;
  @IsOptional() @IsBoolean() adminRequest?: boolean;
  @IsOptional() @IsISO8601() lastKnownRevisionDate?: string | null;
}

/** `?organizationId=` of the share staging route. */
export class AttachmentShareQueryDto {
  @IsDefined() @IsUUID('all') organizationId!: string;
}
