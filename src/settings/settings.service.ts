import { Injectable } from '@nestjs/common';
import { AccountRevisionService } from '../accounts/account-revision.service';
import { AuthContext } from '../common/auth/auth-context';
import { Clock } from '../common/time/clock';
import { UnitOfWork } from '../db/unit-of-work';
import { EventBus } from '../event-bus/event-bus.service';
import { DomainsQueryService } from './domains-query.service';
import { DomainsRequestDto } from './dto/domains-request.dto';
import { DomainsResponseDto, toDomainsResponse, UserDomains } from './dto/domains-response.dto';
import { SettingsRepository } from './settings.repository';

@Injectable()
export class SettingsService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly repo: SettingsRepository,
    private readonly query: DomainsQueryService,
    private readonly accountRevision: AccountRevisionService,
    private readonly bus: EventBus,
    private readonly clock: Clock,
  ) {}

  getDomains(auth: AuthContext): Promise<DomainsResponseDto> {
    return this.uow.read((db) => this.query.domains(db, auth.userId, false));
  }

  /** Replaces the user's equivalent domains and excluded global groups; clients re-sync (SyncSettings). */
  updateDomains(auth: AuthContext, dto: DomainsRequestDto): Promise<DomainsResponseDto> {
    const domains: UserDomains = {
      equivalentDomains: (dto.equivalentDomains ?? []).filter((group) => group.length > 0),
      excludedGlobalDomains: [...new Set(dto.excludedGlobalEquivalentDomains ?? [])],
    };
    return this.uow.run(async (tx) => {
      const now = this.clock.now();
      await this.query.domains(tx.manager, auth.userId, false);
      await this.repo.saveDomains(tx.manager, auth.userId, domains, now);
      await this.accountRevision.bump(tx, [auth.userId], now);
      await this.bus.emit(tx, 'UserSettingsChanged', { userId: auth.userId, actor: auth.actor });
      return toDomainsResponse(domains, false);
    });
  }
}
