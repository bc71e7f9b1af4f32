import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsDefined, IsInt, IsISO8601, IsObject, IsOptional, IsString, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { IsEncString } from '../../common/validation/is-enc-string';

/** The official Send models cap their EncStrings at 1,000 characters. */
export const MAX_SEND_ENC_LENGTH = 1_000;

/** A number, or Vaultwarden's string of digits. */
const numeric = ({ value }: { value: unknown }): unknown => (typeof value === 'string' && /^-?\d{1,16}$/.test(value) ? Number(value) : value);

export class SendTextDto {
  @IsOptional() @IsString() @MaxLength(MAX_SEND_ENC_LENGTH) @IsEncString() text?: string | null;
  @IsOptional() @IsBoolean() hidden?: boolean | null;
}

/** The client also echoes `id`, `size` and `sizeName`; only the name is taken. */
export class SendFileDto {
  @IsOptional() @IsString() @MaxLength(MAX_SEND_ENC_LENGTH) @IsEncString() fileName?: string | null;
}

/** `SendRequestModel` (docs/sends-plan.md §3.1): POST/PUT /api/sends, POST /api/sends/file/v2, the legacy upload's `model`. */
export class SendRequestDto {
  @IsInt() @Min(0) @Max(1) type!: number;
  /** 0 email, 1 password, 2 none; current clients always send it. */
  @IsOptional() @IsInt() @Min(0) @Max(2) authType?: number | null;
  /** v2 file Sends: the encrypted length about to be uploaded. */
  @IsOptional() @Transform(numeric) @IsInt() fileLength?: number | null;
  @IsDefined() @IsString() @MaxLength(MAX_SEND_ENC_LENGTH) @IsEncString() name!: string;
  @IsOptional() @IsString() @MaxLength(MAX_SEND_ENC_LENGTH) @IsEncString() notes?: string | null;
  @IsDefined() @IsString() @MaxLength(MAX_SEND_ENC_LENGTH) @IsEncString() key!: string;
  @IsOptional() @IsInt() @Min(1) @Max(2_147_483_647) maxAccessCount?: number | null;
  @IsOptional() @IsISO8601() expirationDate?: string | null;
  @IsDefined() @IsISO8601() deletionDate!: string;
  @IsOptional() @IsObject() @ValidateNested() @Type(() => SendFileDto) file?: SendFileDto | null;
  @IsOptional() @IsObject() @ValidateNested() @Type(() => SendTextDto) text?: SendTextDto | null;
  /** The client's hash of the password (base64), never the password. */
  @IsOptional() @IsString() @MaxLength(MAX_SEND_ENC_LENGTH) password?: string | null;
  @IsOptional() @IsString() @MaxLength(4000) emails?: string | null;
  @IsOptional() @IsBoolean() disabled?: boolean | null;
  @IsOptional() @IsBoolean() hideEmail?: boolean | null;
}

/** Body of the legacy anonymous access routes. */
export class SendAccessRequestDto {
  @IsOptional() @IsString() @MaxLength(MAX_SEND_ENC_LENGTH) password?: string | null;
}
