import { IsOptional, IsUUID } from 'class-validator';

/** Query of POST /api/ciphers/purge: `organizationId` purges that organization's items instead of the caller's vault. */
export class PurgeQueryDto {
  @IsOptional() @IsUUID('all') organizationId?: string;
}
