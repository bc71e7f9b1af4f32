import { IsDefined, IsOptional, IsString, MaxLength } from 'class-validator';

/** POST /api/organizations/{orgId}/users/{memberId}/accept: the token of the invite link. */
export class MemberAcceptRequestDto {
  @IsDefined() @IsString() @MaxLength(8192) token!: string;
  /** The user key wrapped to the organization's public key, when the organization enrolls members in account recovery. */
  @IsOptional() @IsString() @MaxLength(10_000) resetPasswordKey?: string | null;
}
