import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Req, UseGuards } from '@nestjs/common';
import type { Request } from 'express';
import { CipherMiniResponseDto, CipherResponseDto } from '../ciphers/dto/cipher-response.dto';
import { AccessTokenGuard } from '../common/auth/access-token.guard';
import { AuthContext } from '../common/auth/auth-context';
import { Auth } from '../common/auth/auth.decorator';
import { IdParamDto } from '../common/validation/id-param.dto';
import { AttachmentsService } from './attachments.service';
import { AttachmentRequestDto, AttachmentShareQueryDto } from './dto/attachment-request.dto';
import { AttachmentResponseDto, AttachmentUploadDataResponseDto, DeleteAttachmentResponseDto } from './dto/attachment-response.dto';
import { UploadRequest } from '../common/http/multipart-upload';

/** The multipart body as a stream, untouched by any parser (the JSON and form parsers skip multipart). */
const upload = (req: Request): UploadRequest => ({ headers: req.headers, body: req });

/**
 * The attachment routes under /api/ciphers (docs/attachments-plan.md §2). The literal `v2` segment is declared
 * before the `:attachmentId` routes, so it is never taken for an attachment id.
 */
@Controller('api/ciphers')
@UseGuards(AccessTokenGuard)
export class AttachmentsController {
  constructor(private readonly attachments: AttachmentsService) {}

  @Post(':id/attachment/v2')
  @HttpCode(200)
  createUpload(@Auth() auth: AuthContext, @Param() { id }: IdParamDto, @Body() dto: AttachmentRequestDto): Promise<AttachmentUploadDataResponseDto> {
    return this.attachments.createUpload(auth, id, dto);
  }

  @Post(':id/attachment')
  @HttpCode(200)
  uploadLegacy(@Auth() auth: AuthContext, @Param() { id }: IdParamDto, @Req() req: Request): Promise<CipherResponseDto | CipherMiniResponseDto> {
    return this.attachments.uploadLegacy(auth, id, upload(req), false);
  }

  @Post(':id/attachment-admin')
  @HttpCode(200)
  uploadLegacyAdmin(@Auth() auth: AuthContext, @Param() { id }: IdParamDto, @Req() req: Request): Promise<CipherResponseDto | CipherMiniResponseDto> {
    return this.attachments.uploadLegacy(auth, id, upload(req), true);
  }

  @Get(':id/attachment/:attachmentId/renew')
  renew(@Auth() auth: AuthContext, @Param() { id }: IdParamDto, @Param('attachmentId') attachmentId: string): Promise<AttachmentUploadDataResponseDto> {
    return this.attachments.renewUpload(auth, id, attachmentId);
  }

  @Post(':id/attachment/:attachmentId')
  @HttpCode(200)
  upload(@Auth() auth: AuthContext, @Param() { id }: IdParamDto, @Param('attachmentId') attachmentId: string, @Req() req: Request): Promise<void> {
    return this.attachments.upload(auth, id, attachmentId, upload(req));
  }

  @Post(':id/attachment/:attachmentId/share')
  @HttpCode(200)
  stageShare(
    @Auth() auth: AuthContext, @Param() { id }: IdParamDto, @Param('attachmentId') attachmentId: string, @Query() query: AttachmentShareQueryDto, @Req() req: Request,
  ): Promise<void> {
    return this.attachments.stageShare(auth, id, attachmentId, query.organizationId, upload(req));
  }

  @Get(':id/attachment/:attachmentId')
  get(@Auth() auth: AuthContext, @Param() { id }: IdParamDto, @Param('attachmentId') attachmentId: string): Promise<AttachmentResponseDto> {
    return this.attachments.get(auth, id, attachmentId, false);
  }

  @Get(':id/attachment/:attachmentId/admin')
  getAdmin(@Auth() auth: AuthContext, @Param() { id }: IdParamDto, @Param('attachmentId') attachmentId: string): Promise<AttachmentResponseDto> {
    return this.attachments.get(auth, id, attachmentId, true);
  }

  @Delete(':id/attachment/:attachmentId')
  delete(@Auth() auth: AuthContext, @Param() { id }: IdParamDto, @Param('attachmentId') attachmentId: string): Promise<DeleteAttachmentResponseDto> {
    return this.attachments.delete(auth, id, attachmentId, false);
  }

  @Post(':id/attachment/:attachmentId/delete')
  @HttpCode(200)
  deletePost(@Auth() auth: AuthContext, @Param() { id }: IdParamDto, @Param('attachmentId') attachmentId: string): Promise<DeleteAttachmentResponseDto> {
    return this.attachments.delete(auth, id, attachmentId, false);
  }

  @Delete(':id/attachment/:attachmentId/admin')
  deleteAdmin(@Auth() auth: AuthContext, @Param() { id }: IdParamDto, @Param('attachmentId') attachmentId: string): Promise<DeleteAttachmentResponseDto> {
    return this.attachments.delete(auth, id, attachmentId, true);
  }

  @Post(':id/attachment/:attachmentId/delete-admin')
  @HttpCode(200)
  deleteAdminPost(@Auth() auth: AuthContext, @Param() { id }: IdParamDto, @Param('attachmentId') attachmentId: string): Promise<DeleteAttachmentResponseDto> {
    return this.attachments.delete(auth, id, attachmentId, true);
  }
}
