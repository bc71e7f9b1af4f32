import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Req, UseGuards } from '@nestjs/common';
import type { Request } from 'express';
import { AccessTokenGuard } from '../common/auth/access-token.guard';
import { AuthContext } from '../common/auth/auth-context';
import { Auth } from '../common/auth/auth.decorator';
import { ListResponseDto } from '../common/http/list-response';
import { UploadRequest } from '../common/http/multipart-upload';
import { IdParamDto } from '../common/validation/id-param.dto';
import { SendRequestDto } from './dto/send-request.dto';
import { SendFileUploadResponseDto, SendResponseDto } from './dto/send-response.dto';
import { SendsService } from './sends.service';

const upload = (req: Request): UploadRequest => ({ headers: req.headers, body: req });

/** The owner's Send routes (docs/sends-plan.md §2 routes 1-11); the literal `file` routes come before `:id`. */
@Controller('api/sends')
@UseGuards(AccessTokenGuard)
export class SendsController {
  constructor(private readonly sends: SendsService) {}

  @Get()
  list(@Auth() auth: AuthContext): Promise<ListResponseDto<SendResponseDto>> {
    return this.sends.list(auth);
  }

  @Post()
  @HttpCode(200)
  create(@Auth() auth: AuthContext, @Body() dto: SendRequestDto): Promise<SendResponseDto> {
    return this.sends.create(auth, dto);
  }

  @Post('file/v2')
  @HttpCode(200)
  createFileUpload(@Auth() auth: AuthContext, @Body() dto: SendRequestDto): Promise<SendFileUploadResponseDto> {
    return this.sends.createFileUpload(auth, dto);
  }

  @Post('file')
  @HttpCode(200)
  uploadLegacy(@Auth() auth: AuthContext, @Req() req: Request): Promise<SendResponseDto> {
    return this.sends.uploadLegacy(auth, upload(req));
  }

  @Get(':id')
  get(@Auth() auth: AuthContext, @Param() { id }: IdParamDto): Promise<SendResponseDto> {
    return this.sends.get(auth, id);
  }

  @Put(':id')
  update(@Auth() auth: AuthContext, @Param() { id }: IdParamDto, @Body() dto: SendRequestDto): Promise<SendResponseDto> {
    return this.sends.update(auth, id, dto);
  }

  @Delete(':id')
  delete(@Auth() auth: AuthContext, @Param() { id }: IdParamDto): Promise<void> {
    return this.sends.delete(auth, id);
  }

  @Put([':id/remove-password', ':id/remove-auth'])
  removePassword(@Auth() auth: AuthContext, @Param() { id }: IdParamDto): Promise<SendResponseDto> {
    return this.sends.removePassword(auth, id);
  }

  @Post(':id/file/:fileId')
  @HttpCode(200)
  upload(@Auth() auth: AuthContext, @Param() { id }: IdParamDto, @Param('fileId') fileId: string, @Req() req: Request): Promise<void> {
    return this.sends.upload(auth, id, fileId, upload(req));
  }

  @Get(':id/file/:fileId')
  renew(@Auth() auth: AuthContext, @Param() { id }: IdParamDto, @Param('fileId') fileId: string): Promise<SendFileUploadResponseDto> {
    return this.sends.renewFileUpload(auth, id, fileId);
  }
}
