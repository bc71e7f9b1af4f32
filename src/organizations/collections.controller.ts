import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, UseGuards } from '@nestjs/common';
import { AccessTokenGuard } from '../common/auth/access-token.guard';
import { AuthContext } from '../common/auth/auth-context';
import { Auth } from '../common/auth/auth.decorator';
import { ListResponseDto } from '../common/http/list-response';
import { IdParamDto } from '../common/validation/id-param.dto';
import { CollectionsService } from './collections.service';
import { CollectionBulkAccessRequestDto, CollectionIdsRequestDto, CollectionParamDto, CollectionRequestDto } from './dto/collection-request.dto';
import { CollectionAccessDetailsResponseDto, CollectionResponseDto } from './dto/organization-response.dto';

/** /api/organizations/{id}/collections…: collection writes and details (the plain list is in OrganizationsController). */
@Controller('api/organizations/:id/collections')
@UseGuards(AccessTokenGuard)
export class CollectionsController {
  constructor(private readonly collections: CollectionsService) {}

  @Post()
  @HttpCode(200)
  create(@Auth() auth: AuthContext, @Param() { id }: IdParamDto, @Body() dto: CollectionRequestDto): Promise<CollectionAccessDetailsResponseDto> {
    return this.collections.create(auth, id, dto);
  }

  @Get('details')
  listDetails(@Auth() auth: AuthContext, @Param() { id }: IdParamDto): Promise<ListResponseDto<CollectionAccessDetailsResponseDto>> {
    return this.collections.listDetails(auth, id);
  }

  @Delete()
  bulkDelete(@Auth() auth: AuthContext, @Param() { id }: IdParamDto, @Body() dto: CollectionIdsRequestDto): Promise<void> {
    return this.collections.delete(auth, id, dto.ids);
  }

  @Post('bulk-access')
  @HttpCode(200)
  bulkAccess(@Auth() auth: AuthContext, @Param() { id }: IdParamDto, @Body() dto: CollectionBulkAccessRequestDto): Promise<void> {
    return this.collections.bulkAccess(auth, id, dto);
  }

  @Post('delete')
  @HttpCode(200)
  bulkDeletePost(@Auth() auth: AuthContext, @Param() { id }: IdParamDto, @Body() dto: CollectionIdsRequestDto): Promise<void> {
    return this.collections.delete(auth, id, dto.ids);
  }

  @Get(':collectionId')
  get(@Auth() auth: AuthContext, @Param() { id, collectionId }: CollectionParamDto): Promise<CollectionResponseDto> {
    return this.collections.get(auth, id, collectionId);
  }

  @Get(':collectionId/details')
  details(@Auth() auth: AuthContext, @Param() { id, collectionId }: CollectionParamDto): Promise<CollectionAccessDetailsResponseDto> {
    return this.collections.detailsOf(auth, id, collectionId);
  }

  @Get(':collectionId/users')
  users(@Auth() auth: AuthContext, @Param() { id, collectionId }: CollectionParamDto): Promise<Array<{ id: string; readOnly: boolean; hidePasswords: boolean; manage: boolean }>> {
    return this.collections.users(auth, id, collectionId);
  }

  @Put(':collectionId')
  update(@Auth() auth: AuthContext, @Param() { id, collectionId }: CollectionParamDto, @Body() dto: CollectionRequestDto): Promise<CollectionAccessDetailsResponseDto> {
    return this.collections.update(auth, id, collectionId, dto);
  }

  @Post(':collectionId')
  @HttpCode(200)
  updatePost(@Auth() auth: AuthContext, @Param() { id, collectionId }: CollectionParamDto, @Body() dto: CollectionRequestDto): Promise<CollectionAccessDetailsResponseDto> {
    return this.collections.update(auth, id, collectionId, dto);
  }

  @Delete(':collectionId')
  delete(@Auth() auth: AuthContext, @Param() { id, collectionId }: CollectionParamDto): Promise<void> {
    return this.collections.delete(auth, id, [collectionId]);
  }

  @Post(':collectionId/delete')
  @HttpCode(200)
  deletePost(@Auth() auth: AuthContext, @Param() { id, collectionId }: CollectionParamDto): Promise<void> {
    return this.collections.delete(auth, id, [collectionId]);
  }
}
