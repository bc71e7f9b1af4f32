import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import { AccessTokenGuard } from '../common/auth/access-token.guard';
import { AuthContext } from '../common/auth/auth-context';
import { Auth } from '../common/auth/auth.decorator';
import { ListResponseDto } from '../common/http/list-response';
import { IdParamDto } from '../common/validation/id-param.dto';
import { BillingWarningsResponseDto, OrganizationBillingService, SelfHostBillingMetadataResponseDto } from './organization-billing.service';

/** /api/organizations/{id}/billing…: the stubs the web vault reads on a self-hosted server. */
@Controller('api/organizations/:id/billing')
@UseGuards(AccessTokenGuard)
export class OrganizationBillingController {
  constructor(private readonly billing: OrganizationBillingService) {}

  @Get('metadata')
  metadata(@Auth() auth: AuthContext, @Param() { id }: IdParamDto): Promise<ListResponseDto<never>> {
    return this.billing.metadata(auth, id);
  }

  @Get('vnext/warnings')
  warnings(@Auth() auth: AuthContext, @Param() { id }: IdParamDto): Promise<BillingWarningsResponseDto> {
    return this.billing.warnings(auth, id);
  }

  @Get('vnext/self-host/metadata')
  selfHostMetadata(@Auth() auth: AuthContext, @Param() { id }: IdParamDto): Promise<SelfHostBillingMetadataResponseDto> {
    return this.billing.selfHostMetadata(auth, id);
  }
}
