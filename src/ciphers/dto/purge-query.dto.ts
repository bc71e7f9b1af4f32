import { IsOptional, IsUUID } from 'class-validator';

/** Query of POST /api/ciphers/purge: `organizationId` purges an organization's vault (not supported yet). */
export class PurgeQueryDto {
  @IsOptional() @IsUUID('all') organizationId?: string;
}
