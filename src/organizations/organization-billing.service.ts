import { AuthContext } from '../common/auth/auth-context';
import { ListResponseDto } from '../common/http/list-response';
import { Inject, Injectable } from '@nestjs/common';
import { AttachmentsRepository } from '../attachments/attachments.repository';
import { StorageFigures, storageFigures } from '../common/http/storage-figures';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.tokens';
import { UnitOfWork } from '../db/unit-of-work';
import { OrganizationResponseDto } from './dto/organization-response.dto';
import { toOrganizationResponse } from './dto/organization-response.mapper';
import { OrganizationsQueryService } from './organizations-query.service';

/** Billing warnings of a self-hosted organization: there is no subscription, so there are none. */
export interface BillingWarningsResponseDto { freeTrial: null; inactiveSubscription: null; resellerRenewal: null; taxId: null }
/** `organizationSubscription`: the organization with its storage; a self-hosted server has no subscription. */
export type OrganizationSubscriptionResponseDto = Omit<OrganizationResponseDto, 'object'> & StorageFigures & {
  object: 'organizationSubscription'; expiration: null; subscription: null; upcomingInvoice: null;
};
/** Billing metadata of a self-hosted organization (bitwarden/server's OrganizationMetadata.Default). */
export interface SelfHostBillingMetadataResponseDto { isOnSecretsManagerStandalone: false; organizationOccupiedSeats: number }

/**
 * The billing routes the web vault reads for an organization. A self-hosted server has no billing: they answer
 * what a self-hosted Vaultwarden answers (no warnings, no metadata) so the pages load, to members only.
 */
@Injectable()
export class OrganizationBillingService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly uow: UnitOfWork,
    private readonly query: OrganizationsQueryService,
    private readonly attachments: AttachmentsRepository,
  ) {}

  /**
   * GET /api/organizations/{id}/subscription, as a self-hosted official server answers it: the organization, its
   * attachment storage (ORG_ATTACHMENT_LIMIT as the maximum), and no subscription or invoice.
   */
  async subscription(auth: AuthContext, organizationId: string): Promise<OrganizationSubscriptionResponseDto> {
    return this.uow.read(async (db) => {
      const { organization } = await this.query.requireConfirmedMember(db, organizationId, auth.userId);
      const used = await this.attachments.usedByOrganization(db, organization.id);
      return {
        ...toOrganizationResponse(organization, { groups: this.config.orgGroupsEnabled }),
        ...storageFigures(used, this.config.attachments.orgLimitBytes),
        object: 'organizationSubscription', expiration: null, subscription: null, upcomingInvoice: null,
      };
    });
  }

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
