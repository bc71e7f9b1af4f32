import { Injectable } from '@nestjs/common';
import { AccountsQueryService } from '../accounts/accounts-query.service';
import { CiphersQueryService } from '../ciphers/ciphers-query.service';
import { AuthContext } from '../common/auth/auth-context';
import { UnitOfWork } from '../db/unit-of-work';
import { FoldersQueryService } from '../folders/folders-query.service';
import { OrganizationsQueryService } from '../organizations/organizations-query.service';
import { SendsQueryService } from '../sends/sends-query.service';
import { DomainsQueryService } from '../settings/domains-query.service';
import { SyncResponseDto } from './dto/sync-response.dto';

/** Read-only composition of the other features' queries, in one read so the parts agree with each other. */
@Injectable()
export class SyncService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly accounts: AccountsQueryService,
    private readonly folders: FoldersQueryService,
    private readonly ciphers: CiphersQueryService,
    private readonly domains: DomainsQueryService,
    private readonly organizations: OrganizationsQueryService,
    private readonly sends: SendsQueryService,
  ) {}

  sync(auth: AuthContext, excludeDomains: boolean): Promise<SyncResponseDto> {
    return this.uow.read(async (db) => {
      const { profile, userDecryption } = await this.accounts.syncParts(db, auth.userId);
      profile.organizations = await this.organizations.forUser(db, auth.userId);
      const collections = await this.organizations.collectionsForUser(db, auth.userId);
      const policies = await this.organizations.policiesForUser(db, auth.userId);
      const folders = await this.folders.listForUser(db, auth.userId);
      const ciphers = await this.ciphers.listForUser(db, auth.userId);
      const sends = await this.sends.listForUser(db, auth.userId);
      const domains = excludeDomains ? null : await this.domains.domains(db, auth.userId, true);
      return { object: 'sync', profile, folders, collections, policies, sends, ciphers, domains, userDecryption };
    });
  }
}
