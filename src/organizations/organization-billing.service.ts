import { Injectable } from '@nestjs/common';
import { AuthContext } from '../common/auth/auth-context';
import { ListResponseDto } from '../common/http/list-response';
import { UnitOfWork } from '../db/unit-of-work';
import { OrganizationsQueryService } from './organizations-query.service';

/** Billing warnings of a self-hosted organization: there is no subscription, so there are none. */
export interface BillingWarningsResponseDto { freeTrial: null; inactiveSubscription: null; resellerRenewal: null; taxId: null }
/** Billing metadata of a self-hosted organization (bitwarden/server's OrganizationMetadata.Default). */
export interface SelfHostBillingMetadataResponseDto { isOnSecretsManagerStandalone: false; organizationOccupiedSeats: number }

/**
 * The billing routes the web vault reads for an organization. A self-hosted server has no billing: they answer
 * what a self-hosted Vaultwarden answers (no warnings, no metadata) so the pages load, to members only.
 */
@Injectable()
export class OrganizationBillingService {
  constructor(private readonly uow: UnitOfWork, private readonly query: OrganizationsQueryService) {}

  async metadata(auth: AuthContext, organizationId: string): Promise<ListResponseDto<never>> {
    await this.requireMember(auth, organizationId);
    return { object: 'list', data: [], continuationToken: null };
  }

  async warnings(auth: AuthContext, organizationId: string): Promise<BillingWarningsResponseDto> {
    await this.requireMember(auth, organizationId);
    return { freeTrial: null, inactiveSubscription: null, resellerRenewal: null, taxId: null };
  }

  async selfHostMetadata(auth: AuthContext, organizationId: string): Promise<SelfHostBillingMetadataResponseDto> {
    await this.requireMember(auth, organizationId);
    return { isOnSecretsManagerStandalone: false, organizationOccupiedSeats: 0 };
  }

  private requireMember(auth: AuthContext, organizationId: string): Promise<unknown> {
    return this.uow.read((db) => this.query.requireConfirmedMember(db, organizationId, auth.userId));
  }
}
