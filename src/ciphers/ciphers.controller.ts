import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, UseGuards } from '@nestjs/common';
import { AccessTokenGuard } from '../common/auth/access-token.guard';
import { AuthContext } from '../common/auth/auth-context';
import { Auth } from '../common/auth/auth.decorator';
import { IdParamDto } from '../common/validation/id-param.dto';
import { ListResponseDto } from '../common/http/list-response';
import { CiphersService } from './ciphers.service';
import {
  CipherAdminIdsRequestDto, CipherBulkCollectionsRequestDto, CipherBulkShareRequestDto, CipherCollectionsRequestDto, CipherCreateRequestDto,
  CipherIdsRequestDto, CipherMoveRequestDto, CipherPartialRequestDto, CipherRequestDto, CipherShareRequestDto, PurgeRequestDto,
} from './dto/cipher-request.dto';
import { CipherMiniDetailsResponseDto, CipherMiniResponseDto, CipherResponseDto } from './dto/cipher-response.dto';
import { ImportOrganizationRequestDto, ImportRequestDto } from './dto/import-request.dto';
import { OrganizationQueryDto } from './dto/organization-query.dto';
import { PurgeQueryDto } from './dto/purge-query.dto';
import { OrganizationCiphersService } from './organization-ciphers.service';

/**
 * /api/ciphers. Routes without an id are declared before the `:id` routes, so that `PUT /api/ciphers/delete`
 * and friends are never taken for a cipher id.
 */
@Controller('api/ciphers')
@UseGuards(AccessTokenGuard)
export class CiphersController {
  constructor(private readonly ciphers: CiphersService, private readonly organizationCiphers: OrganizationCiphersService) {}

  // --- collection routes ---

  @Get()
  list(@Auth() auth: AuthContext): Promise<ListResponseDto<CipherResponseDto>> {
    return this.ciphers.list(auth);
  }

  @Post()
  @HttpCode(200)
  create(@Auth() auth: AuthContext, @Body() dto: CipherRequestDto): Promise<CipherResponseDto> {
    return this.ciphers.create(auth, dto);
  }

  @Post('create')
  @HttpCode(200)
  createWithCollections(@Auth() auth: AuthContext, @Body() dto: CipherCreateRequestDto): Promise<CipherResponseDto> {
    return this.ciphers.createWithCollections(auth, dto);
  }

  @Post('import')
  @HttpCode(200)
  import(@Auth() auth: AuthContext, @Body() dto: ImportRequestDto): Promise<void> {
    return this.ciphers.import(auth, dto);
  }

  @Post('purge')
  @HttpCode(200)
  purge(@Auth() auth: AuthContext, @Body() dto: PurgeRequestDto, @Query() query: PurgeQueryDto): Promise<void> {
    return this.ciphers.purge(auth, dto, query.organizationId);
  }

  @Delete()
  bulkDelete(@Auth() auth: AuthContext, @Body() dto: CipherIdsRequestDto): Promise<void> {
    return this.ciphers.bulkDelete(auth, dto);
  }

  @Post('delete')
  @HttpCode(200)
  bulkDeletePost(@Auth() auth: AuthContext, @Body() dto: CipherIdsRequestDto): Promise<void> {
    return this.ciphers.bulkDelete(auth, dto);
  }

  @Put('delete')
  bulkTrash(@Auth() auth: AuthContext, @Body() dto: CipherIdsRequestDto): Promise<void> {
    return this.ciphers.bulkTrash(auth, dto);
  }

  @Put('restore')
  bulkRestore(@Auth() auth: AuthContext, @Body() dto: CipherIdsRequestDto): Promise<ListResponseDto<CipherResponseDto>> {
    return this.ciphers.bulkRestore(auth, dto);
  }

  @Put('archive')
  bulkArchive(@Auth() auth: AuthContext, @Body() dto: CipherIdsRequestDto): Promise<ListResponseDto<CipherResponseDto>> {
    return this.ciphers.bulkArchive(auth, dto);
  }

  @Put('unarchive')
  bulkUnarchive(@Auth() auth: AuthContext, @Body() dto: CipherIdsRequestDto): Promise<ListResponseDto<CipherResponseDto>> {
    return this.ciphers.bulkUnarchive(auth, dto);
  }

  @Put('share')
  shareMany(@Auth() auth: AuthContext, @Body() dto: CipherBulkShareRequestDto): Promise<ListResponseDto<CipherMiniResponseDto>> {
    return this.ciphers.shareMany(auth, dto);
  }

  @Post('share')
  @HttpCode(200)
  shareManyPost(@Auth() auth: AuthContext, @Body() dto: CipherBulkShareRequestDto): Promise<ListResponseDto<CipherMiniResponseDto>> {
    return this.ciphers.shareMany(auth, dto);
  }

  @Post('import-organization')
  @HttpCode(200)
  importOrganization(@Auth() auth: AuthContext, @Query() query: OrganizationQueryDto, @Body() dto: ImportOrganizationRequestDto): Promise<void> {
    return this.ciphers.importOrganization(auth, query.organizationId, dto);
  }

  // --- organization items for the Admin Console (docs/organizations-plan.md §3.4) ---

  @Get('organization-details')
  organizationDetails(@Auth() auth: AuthContext, @Query() query: OrganizationQueryDto): Promise<ListResponseDto<CipherMiniDetailsResponseDto>> {
    return this.organizationCiphers.organizationDetails(auth, query.organizationId);
  }

  @Get('organization-details/assigned')
  organizationDetailsAssigned(@Auth() auth: AuthContext, @Query() query: OrganizationQueryDto): Promise<ListResponseDto<CipherResponseDto>> {
    return this.organizationCiphers.assigned(auth, query.organizationId);
  }

  @Post('admin')
  @HttpCode(200)
  createAdmin(@Auth() auth: AuthContext, @Body() dto: CipherCreateRequestDto): Promise<CipherMiniResponseDto> {
    return this.organizationCiphers.createAdmin(auth, dto);
  }

  @Post('bulk-collections')
  @HttpCode(200)
  bulkCollections(@Auth() auth: AuthContext, @Body() dto: CipherBulkCollectionsRequestDto): Promise<void> {
    return this.organizationCiphers.bulkCollections(auth, dto);
  }

  @Delete('admin')
  bulkDeleteAdmin(@Auth() auth: AuthContext, @Body() dto: CipherAdminIdsRequestDto): Promise<void> {
    return this.organizationCiphers.bulkDeleteAdmin(auth, dto);
  }

  @Post('delete-admin')
  @HttpCode(200)
  bulkDeleteAdminPost(@Auth() auth: AuthContext, @Body() dto: CipherAdminIdsRequestDto): Promise<void> {
    return this.organizationCiphers.bulkDeleteAdmin(auth, dto);
  }

  @Put('delete-admin')
  bulkTrashAdmin(@Auth() auth: AuthContext, @Body() dto: CipherAdminIdsRequestDto): Promise<void> {
    return this.organizationCiphers.bulkTrashAdmin(auth, dto);
  }

  @Put('restore-admin')
  bulkRestoreAdmin(@Auth() auth: AuthContext, @Body() dto: CipherAdminIdsRequestDto): Promise<ListResponseDto<CipherMiniResponseDto>> {
    return this.organizationCiphers.bulkRestoreAdmin(auth, dto);
  }

  @Put('move')
  move(@Auth() auth: AuthContext, @Body() dto: CipherMoveRequestDto): Promise<void> {
    return this.ciphers.move(auth, dto);
  }

  @Post('move')
  @HttpCode(200)
  movePost(@Auth() auth: AuthContext, @Body() dto: CipherMoveRequestDto): Promise<void> {
    return this.ciphers.move(auth, dto);
  }

  // --- item routes ---

  @Get(':id')
  get(@Auth() auth: AuthContext, @Param() { id }: IdParamDto): Promise<CipherResponseDto> {
    return this.ciphers.get(auth, id);
  }

  @Get(':id/details')
  details(@Auth() auth: AuthContext, @Param() { id }: IdParamDto): Promise<CipherResponseDto> {
    return this.ciphers.get(auth, id);
  }

  @Put(':id')
  update(@Auth() auth: AuthContext, @Param() { id }: IdParamDto, @Body() dto: CipherRequestDto): Promise<CipherResponseDto> {
    return this.ciphers.update(auth, id, dto);
  }

  @Post(':id')
  @HttpCode(200)
  updatePost(@Auth() auth: AuthContext, @Param() { id }: IdParamDto, @Body() dto: CipherRequestDto): Promise<CipherResponseDto> {
    return this.ciphers.update(auth, id, dto);
  }

  @Get(':id/admin')
  getAdmin(@Auth() auth: AuthContext, @Param() { id }: IdParamDto): Promise<CipherMiniDetailsResponseDto> {
    return this.organizationCiphers.getAdmin(auth, id);
  }

  @Put(':id/admin')
  updateAdmin(@Auth() auth: AuthContext, @Param() { id }: IdParamDto, @Body() dto: CipherRequestDto): Promise<CipherMiniResponseDto> {
    return this.organizationCiphers.updateAdmin(auth, id, dto);
  }

  @Post(':id/admin')
  @HttpCode(200)
  updateAdminPost(@Auth() auth: AuthContext, @Param() { id }: IdParamDto, @Body() dto: CipherRequestDto): Promise<CipherMiniResponseDto> {
    return this.organizationCiphers.updateAdmin(auth, id, dto);
  }

  @Put(':id/collections-admin')
  collectionsAdmin(@Auth() auth: AuthContext, @Param() { id }: IdParamDto, @Body() dto: CipherCollectionsRequestDto): Promise<CipherMiniDetailsResponseDto> {
    return this.organizationCiphers.setCollectionsAdmin(auth, id, dto);
  }

  @Post(':id/collections-admin')
  @HttpCode(200)
  collectionsAdminPost(@Auth() auth: AuthContext, @Param() { id }: IdParamDto, @Body() dto: CipherCollectionsRequestDto): Promise<CipherMiniDetailsResponseDto> {
    return this.organizationCiphers.setCollectionsAdmin(auth, id, dto);
  }

  @Delete(':id/admin')
  deleteAdmin(@Auth() auth: AuthContext, @Param() { id }: IdParamDto): Promise<void> {
    return this.organizationCiphers.deleteAdmin(auth, id);
  }

  @Post(':id/delete-admin')
  @HttpCode(200)
  deleteAdminPost(@Auth() auth: AuthContext, @Param() { id }: IdParamDto): Promise<void> {
    return this.organizationCiphers.deleteAdmin(auth, id);
  }

  @Put(':id/delete-admin')
  trashAdmin(@Auth() auth: AuthContext, @Param() { id }: IdParamDto): Promise<void> {
    return this.organizationCiphers.trashAdmin(auth, id);
  }

  @Put(':id/restore-admin')
  restoreAdmin(@Auth() auth: AuthContext, @Param() { id }: IdParamDto): Promise<CipherMiniResponseDto> {
    return this.organizationCiphers.restoreAdmin(auth, id);
  }

  @Put(':id/share')
  share(@Auth() auth: AuthContext, @Param() { id }: IdParamDto, @Body() dto: CipherShareRequestDto): Promise<CipherResponseDto> {
    return this.ciphers.share(auth, id, dto);
  }

  @Post(':id/share')
  @HttpCode(200)
  sharePost(@Auth() auth: AuthContext, @Param() { id }: IdParamDto, @Body() dto: CipherShareRequestDto): Promise<CipherResponseDto> {
    return this.ciphers.share(auth, id, dto);
  }

  /** `optionalCipherDetails`: the cipher, or `unavailable` when the caller no longer sees it. */
  @Put(':id/collections_v2')
  async collectionsV2(@Auth() auth: AuthContext, @Param() { id }: IdParamDto, @Body() dto: CipherCollectionsRequestDto): Promise<{ unavailable: boolean; cipher: CipherResponseDto | null; object: 'optionalCipherDetails' }> {
    const result = await this.ciphers.setCollections(auth, id, dto);
    return { unavailable: result.unavailable, cipher: result.cipher, object: 'optionalCipherDetails' };
  }

  @Post(':id/collections_v2')
  @HttpCode(200)
  collectionsV2Post(@Auth() auth: AuthContext, @Param() { id }: IdParamDto, @Body() dto: CipherCollectionsRequestDto): Promise<{ unavailable: boolean; cipher: CipherResponseDto | null; object: 'optionalCipherDetails' }> {
    return this.collectionsV2(auth, { id }, dto);
  }

  /** Legacy form: answers the cipher (404 once the caller no longer sees it). */
  @Put(':id/collections')
  async collections(@Auth() auth: AuthContext, @Param() { id }: IdParamDto, @Body() dto: CipherCollectionsRequestDto): Promise<CipherResponseDto | null> {
    return (await this.ciphers.setCollections(auth, id, dto)).cipher;
  }

  @Post(':id/collections')
  @HttpCode(200)
  collectionsPost(@Auth() auth: AuthContext, @Param() { id }: IdParamDto, @Body() dto: CipherCollectionsRequestDto): Promise<CipherResponseDto | null> {
    return this.collections(auth, { id }, dto);
  }

  @Put(':id/partial')
  partial(@Auth() auth: AuthContext, @Param() { id }: IdParamDto, @Body() dto: CipherPartialRequestDto): Promise<CipherResponseDto> {
    return this.ciphers.partial(auth, id, dto);
  }

  @Post(':id/partial')
  @HttpCode(200)
  partialPost(@Auth() auth: AuthContext, @Param() { id }: IdParamDto, @Body() dto: CipherPartialRequestDto): Promise<CipherResponseDto> {
    return this.ciphers.partial(auth, id, dto);
  }

  @Put(':id/delete')
  trash(@Auth() auth: AuthContext, @Param() { id }: IdParamDto): Promise<void> {
    return this.ciphers.trash(auth, id);
  }

  @Delete(':id')
  delete(@Auth() auth: AuthContext, @Param() { id }: IdParamDto): Promise<void> {
    return this.ciphers.delete(auth, id);
  }

  @Post(':id/delete')
  @HttpCode(200)
  deletePost(@Auth() auth: AuthContext, @Param() { id }: IdParamDto): Promise<void> {
    return this.ciphers.delete(auth, id);
  }

  @Put(':id/restore')
  restore(@Auth() auth: AuthContext, @Param() { id }: IdParamDto): Promise<CipherResponseDto> {
    return this.ciphers.restore(auth, id);
  }

  @Put(':id/archive')
  archive(@Auth() auth: AuthContext, @Param() { id }: IdParamDto): Promise<CipherResponseDto> {
    return this.ciphers.archive(auth, id);
  }

  @Put(':id/unarchive')
  unarchive(@Auth() auth: AuthContext, @Param() { id }: IdParamDto): Promise<CipherResponseDto> {
    return this.ciphers.unarchive(auth, id);
  }
}
