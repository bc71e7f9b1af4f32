import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional } from 'class-validator';

/** Query of GET /api/sync. */
export class SyncQueryDto {
  /** `true` → `domains: null` (what the CLI asks for). Any other value keeps the domains. */
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.toLowerCase() === 'true' : value === true))
  @IsBoolean()
  excludeDomains?: boolean;
}
