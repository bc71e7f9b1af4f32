import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, UseGuards } from '@nestjs/common';
import { AccessTokenGuard } from '../common/auth/access-token.guard';
import { AuthContext } from '../common/auth/auth-context';
import { Auth } from '../common/auth/auth.decorator';
import { IdParamDto } from '../common/validation/id-param.dto';
import { ListResponseDto } from '../common/http/list-response';
import { CiphersService } from './ciphers.service';
import {
  CipherCollectionsRequestDto, CipherCreateRequestDto, CipherIdsRequestDto, CipherMoveRequestDto, CipherPartialRequestDto, CipherRequestDto,
  CipherShareRequestDto, PurgeRequestDto,
} from './dto/cipher-request.dto';
import { CipherResponseDto } from './dto/cipher-response.dto';
import { ImportRequestDto } from './dto/import-request.dto';
import { PurgeQueryDto } from './dto/purge-query.dto';

/**
 * /api/ciphers. Routes without an id are declared before the `:id` routes, so that `PUT /api/ciphers/delete`
 * and friends are never taken for a cipher id.
 */
@Controller('api/ciphers')
@UseGuards(AccessTokenGuard)
export class CiphersController {
  constructor(private readonly ciphers: CiphersService) {}

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
