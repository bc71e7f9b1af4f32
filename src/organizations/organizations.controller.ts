import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, UseGuards } from '@nestjs/common';
import { AccessTokenGuard } from '../common/auth/access-token.guard';
import { AuthContext } from '../common/auth/auth-context';
import { Auth } from '../common/auth/auth.decorator';
import { ListResponseDto, toListResponse } from '../common/http/list-response';
import { IdParamDto } from '../common/validation/id-param.dto';
import {
  CollectionManagementRequestDto, OrganizationCreateRequestDto, OrganizationDeleteRequestDto, OrganizationKeysRequestDto, OrganizationUpdateRequestDto,
} from './dto/organization-request.dto';
import {
  CollectionDetailsResponseDto, CollectionResponseDto, OrganizationKeysResponseDto, OrganizationPublicKeyResponseDto, OrganizationResponseDto,
  PlanResponseDto, ProfileOrganizationResponseDto,
} from './dto/organization-response.dto';
import { selfHostedPlans } from './dto/organization-response.mapper';
import { OrganizationsService } from './organizations.service';
import { CollectionsQueryService } from './collections-query.service';

@Controller('api')
export class OrganizationsController {
  constructor(private readonly organizations: OrganizationsService, private readonly collections: CollectionsQueryService) {}

  /** Anonymous, as in bitwarden/server: the web vault reads it before offering to create an organization. */
  @Get('plans')
  plans(): ListResponseDto<PlanResponseDto> {
    return toListResponse(selfHostedPlans());
  }

  @Post('organizations')
  @UseGuards(AccessTokenGuard)
  @HttpCode(200)
  create(@Auth() auth: AuthContext, @Body() dto: OrganizationCreateRequestDto): Promise<OrganizationResponseDto> {
    return this.organizations.create(auth, dto);
  }

  @Get('organizations')
  @UseGuards(AccessTokenGuard)
  list(@Auth() auth: AuthContext): Promise<ListResponseDto<ProfileOrganizationResponseDto>> {
    return this.organizations.list(auth);
  }

  @Get('organizations/:id')
  @UseGuards(AccessTokenGuard)
  get(@Auth() auth: AuthContext, @Param() { id }: IdParamDto): Promise<OrganizationResponseDto> {
    return this.organizations.get(auth, id);
  }

  @Put('organizations/:id')
  @UseGuards(AccessTokenGuard)
  update(@Auth() auth: AuthContext, @Param() { id }: IdParamDto, @Body() dto: OrganizationUpdateRequestDto): Promise<OrganizationResponseDto> {
    return this.organizations.update(auth, id, dto);
  }

  @Post('organizations/:id')
  @UseGuards(AccessTokenGuard)
  @HttpCode(200)
  updatePost(@Auth() auth: AuthContext, @Param() { id }: IdParamDto, @Body() dto: OrganizationUpdateRequestDto): Promise<OrganizationResponseDto> {
    return this.organizations.update(auth, id, dto);
  }

  @Put('organizations/:id/collection-management')
  @UseGuards(AccessTokenGuard)
  collectionManagement(@Auth() auth: AuthContext, @Param() { id }: IdParamDto, @Body() dto: CollectionManagementRequestDto): Promise<OrganizationResponseDto> {
    return this.organizations.updateCollectionManagement(auth, id, dto);
  }

  @Delete('organizations/:id')
  @UseGuards(AccessTokenGuard)
  delete(@Auth() auth: AuthContext, @Param() { id }: IdParamDto, @Body() dto: OrganizationDeleteRequestDto): Promise<void> {
    return this.organizations.delete(auth, id, dto);
  }

  @Post('organizations/:id/delete')
  @UseGuards(AccessTokenGuard)
  @HttpCode(200)
  deletePost(@Auth() auth: AuthContext, @Param() { id }: IdParamDto, @Body() dto: OrganizationDeleteRequestDto): Promise<void> {
    return this.organizations.delete(auth, id, dto);
  }

  @Post('organizations/:id/leave')
  @UseGuards(AccessTokenGuard)
  @HttpCode(200)
  leave(@Auth() auth: AuthContext, @Param() { id }: IdParamDto): Promise<void> {
    return this.organizations.leave(auth, id);
  }

  @Get('organizations/:id/public-key')
  @UseGuards(AccessTokenGuard)
  publicKey(@Param() { id }: IdParamDto): Promise<OrganizationPublicKeyResponseDto> {
    return this.organizations.publicKey(id);
  }

  /** Deprecated alias of public-key, still called by some clients. */
  @Get('organizations/:id/keys')
  @UseGuards(AccessTokenGuard)
  keys(@Param() { id }: IdParamDto): Promise<OrganizationPublicKeyResponseDto> {
    return this.organizations.publicKey(id);
  }

  @Post('organizations/:id/keys')
  @UseGuards(AccessTokenGuard)
  @HttpCode(200)
  createKeys(@Auth() auth: AuthContext, @Param() { id }: IdParamDto, @Body() dto: OrganizationKeysRequestDto): Promise<OrganizationKeysResponseDto> {
    return this.organizations.createKeys(auth, id, dto);
  }

  @Get('organizations/:id/collections')
  @UseGuards(AccessTokenGuard)
  organizationCollections(@Auth() auth: AuthContext, @Param() { id }: IdParamDto): Promise<ListResponseDto<CollectionResponseDto>> {
    return this.organizations.collections(auth, id);
  }

  /** Every collection the caller is assigned to, in every organization (the CLI's `list collections`). */
  @Get('collections')
  @UseGuards(AccessTokenGuard)
  myCollections(@Auth() auth: AuthContext): Promise<ListResponseDto<CollectionDetailsResponseDto>> {
    return this.collections.forUser(auth);
  }
}
