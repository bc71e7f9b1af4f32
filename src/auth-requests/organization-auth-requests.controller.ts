import { Body, Controller, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { AccessTokenGuard } from '../common/auth/access-token.guard';
import { Auth } from '../common/auth/auth.decorator';
import { AuthContext } from '../common/auth/auth-context';
import { ListResponseDto } from '../common/http/list-response';
import { createValidationPipe } from '../common/validation/validation';
import {
  AdminAuthRequestUpdateDto, BulkDenyAuthRequestsDto, OrganizationAuthRequestUpdateManyDto, OrganizationParamDto, OrganizationRequestParamDto,
  PendingOrganizationAuthRequestResponseDto,
} from './dto/organization-auth-request.dto';
import { OrganizationAuthRequestsService } from './organization-auth-requests.service';

/** The Admin Console's "Device approvals" (bitwarden/server OrganizationAuthRequestsController). */
@Controller('api/organizations/:orgId/auth-requests')
@UseGuards(AccessTokenGuard)
export class OrganizationAuthRequestsController {
  private readonly validation = createValidationPipe();

  constructor(private readonly requests: OrganizationAuthRequestsService) {}

  @Get()
  list(@Auth() auth: AuthContext, @Param() { orgId }: OrganizationParamDto): Promise<ListResponseDto<PendingOrganizationAuthRequestResponseDto>> {
    return this.requests.listPending(auth, orgId);
  }

  /** Bulk approve or deny: the body is a bare array of { id, key, approved }. Answers 200 without a body. */
  @Post()
  @HttpCode(200)
  async updateMany(@Auth() auth: AuthContext, @Param() { orgId }: OrganizationParamDto, @Body() body: unknown): Promise<void> {
    const { items } = (await this.validation.transform({ items: body }, { type: 'body', metatype: OrganizationAuthRequestUpdateManyDto })) as OrganizationAuthRequestUpdateManyDto;
    await this.requests.updateMany(auth, orgId, items);
  }

  /** Declared before `:requestId` so that "deny" is never read as a request id. Answers the ids denied. */
  @Post('deny')
  @HttpCode(200)
  denyMany(@Auth() auth: AuthContext, @Param() { orgId }: OrganizationParamDto, @Body() dto: BulkDenyAuthRequestsDto): Promise<string[]> {
    return this.requests.denyMany(auth, orgId, dto.ids);
  }

  @Post(':requestId')
  @HttpCode(200)
  answer(@Auth() auth: AuthContext, @Param() { orgId, requestId }: OrganizationRequestParamDto, @Body() dto: AdminAuthRequestUpdateDto): Promise<void> {
    return this.requests.answer(auth, orgId, requestId, { approved: dto.requestApproved, key: dto.encryptedUserKey });
  }
}
