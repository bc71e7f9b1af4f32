import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, UseGuards } from '@nestjs/common';
import { AccessTokenGuard } from '../common/auth/access-token.guard';
import { AuthContext } from '../common/auth/auth-context';
import { Auth } from '../common/auth/auth.decorator';
import { IdParamDto } from '../common/validation/id-param.dto';
import { FolderRequestDto } from './dto/folder-request.dto';
import { ListResponseDto } from '../common/http/list-response';
import { FolderResponseDto } from './dto/folder-response.dto';
import { FoldersService } from './folders.service';

@Controller('api/folders')
@UseGuards(AccessTokenGuard)
export class FoldersController {
  constructor(private readonly folders: FoldersService) {}

  @Get()
  list(@Auth() auth: AuthContext): Promise<ListResponseDto<FolderResponseDto>> {
    return this.folders.list(auth);
  }

  @Post()
  @HttpCode(200)
  create(@Auth() auth: AuthContext, @Body() dto: FolderRequestDto): Promise<FolderResponseDto> {
    return this.folders.create(auth, dto);
  }

  @Get(':id')
  get(@Auth() auth: AuthContext, @Param() { id }: IdParamDto): Promise<FolderResponseDto> {
    return this.folders.get(auth, id);
  }

  @Put(':id')
  update(@Auth() auth: AuthContext, @Param() { id }: IdParamDto, @Body() dto: FolderRequestDto): Promise<FolderResponseDto> {
    return this.folders.update(auth, id, dto);
  }

  @Post(':id')
  @HttpCode(200)
  updatePost(@Auth() auth: AuthContext, @Param() { id }: IdParamDto, @Body() dto: FolderRequestDto): Promise<FolderResponseDto> {
    return this.folders.update(auth, id, dto);
  }

  @Delete(':id')
  delete(@Auth() auth: AuthContext, @Param() { id }: IdParamDto): Promise<void> {
    return this.folders.delete(auth, id);
  }

  @Post(':id/delete')
  @HttpCode(200)
  deletePost(@Auth() auth: AuthContext, @Param() { id }: IdParamDto): Promise<void> {
    return this.folders.delete(auth, id);
  }
}
