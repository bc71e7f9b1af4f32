import { Body, Controller, Get, Param, Put, Query, UseGuards } from '@nestjs/common';
import { AccessTokenGuard } from '../common/auth/access-token.guard';
import { AuthContext } from '../common/auth/auth-context';
import { Auth } from '../common/auth/auth.decorator';
import { ListResponseDto } from '../common/http/list-response';
import { IdParamDto } from '../common/validation/id-param.dto';
import { PolicyResponseDto } from './dto/organization-response.dto';
import { PolicyParamDto, PolicySaveRequestDto, PolicyStatusResponseDto, PolicyTokenQueryDto } from './dto/policy.dto';
import { PoliciesService } from './policies.service';

/**
 * /api/organizations/{id}/policies… (bitwarden/server PoliciesController). `token` and `master-password` are
 * declared before `{type}`; `token` is the only anonymous route.
 */
@Controller('api/organizations/:id/policies')
export class PoliciesController {
  constructor(private readonly policies: PoliciesService) {}

  @Get()
  @UseGuards(AccessTokenGuard)
  list(@Auth() auth: AuthContext, @Param() { id }: IdParamDto): Promise<ListResponseDto<PolicyStatusResponseDto>> {
    return this.policies.list(auth, id);
  }

  /** The invited user's link: no access token, the invitation token instead. */
  @Get('token')
  byToken(@Param() { id }: IdParamDto, @Query() query: PolicyTokenQueryDto): Promise<ListResponseDto<PolicyResponseDto>> {
    return this.policies.byToken(id, query);
  }

  @Get('master-password')
  @UseGuards(AccessTokenGuard)
  masterPassword(@Auth() auth: AuthContext, @Param() { id }: IdParamDto): Promise<PolicyResponseDto> {
    return this.policies.masterPassword(auth, id);
  }

  @Get(':type')
  @UseGuards(AccessTokenGuard)
  get(@Auth() auth: AuthContext, @Param() { id, type }: PolicyParamDto): Promise<PolicyStatusResponseDto> {
    return this.policies.get(auth, id, type);
  }

  @Put(':type')
  @UseGuards(AccessTokenGuard)
  save(@Auth() auth: AuthContext, @Param() { id, type }: PolicyParamDto, @Body() dto: PolicySaveRequestDto): Promise<PolicyResponseDto> {
    return this.policies.save(auth, id, type, dto);
  }

  /** Called by clients from 2025.x to 2026.5 (removed from bitwarden/server in 2026.5; Vaultwarden still serves it). */
  @Put(':type/vnext')
  @UseGuards(AccessTokenGuard)
  saveVNext(@Auth() auth: AuthContext, @Param() { id, type }: PolicyParamDto, @Body() dto: PolicySaveRequestDto): Promise<PolicyResponseDto> {
    return this.policies.save(auth, id, type, dto);
  }
}
