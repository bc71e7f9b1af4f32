import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ErrorCode } from '../common/errors/error-code';
import { VaultError } from '../common/errors/vault-error';
import { DomainsResponseDto, toDomainsResponse } from './dto/domains-response.dto';
import { SettingsRepository } from './settings.repository';

/** Read side of the equivalent-domain settings that sync composes. */
@Injectable()
export class DomainsQueryService {
  constructor(private readonly repo: SettingsRepository) {}

  /** `omitExcluded`: sync leaves excluded global groups out; the settings page lists them as excluded. */
  async domains(db: EntityManager, userId: string, omitExcluded: boolean): Promise<DomainsResponseDto> {
    const domains = await this.repo.findDomains(db, userId);
    if (!domains) throw new VaultError(ErrorCode.UserNotFound);
    return toDomainsResponse(domains, omitExcluded);
  }
}
