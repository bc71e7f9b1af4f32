import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import { AccessTokenGuard } from '../common/auth/access-token.guard';
import { AuthContext } from '../common/auth/auth-context';
import { Auth } from '../common/auth/auth.decorator';
import { ListResponseDto } from '../common/http/list-response';
import { IdParamDto } from '../common/validation/id-param.dto';
import { BillingWarningsResponseDto, OrganizationBillingService, OrganizationSubscriptionResponseDto, SelfHostBillingMetadataResponseDto } from './organization-billing.service';

/** /api/organizations/{id}/billing… and /subscription: what the web vault reads on a self-hosted server. */
@Controller('api/organizations/:id')
@UseGuards(AccessTokenGuard)
export class OrganizationBillingController {
  constructor(private readonly billing: OrganizationBillingService) {}

  @Get('subscription')
  subscription(@Auth() auth: AuthContext, @Param() { id }: IdParamDto): Promise<OrganizationSubscriptionResponseDto> {
    return this.billing.subscription(auth, id);
  }

  @Get('billing/metadata')
  metadata(@Auth() auth: AuthContext, @Param() { id }: IdParamDto): Promise<ListResponseDto<never>> {
    return this.billing.metadata(auth, id);
  }

  @Get('billing/vnext/warnings')
  warnings(@Auth() auth: AuthContext, @Param() { id }: IdParamDto): Promise<BillingWarningsResponseDto> {
    return this.billing.warnings(auth, id);
  }

  @Get('billing/vnext/self-host/metadata')
  selfHostMetadata(@Auth() auth: AuthContext, @Param() { id }: IdParamDto): Promise<SelfHostBillingMetadataResponseDto> {
    return this.billing.selfHostMetadata(auth, id);
  }
}
