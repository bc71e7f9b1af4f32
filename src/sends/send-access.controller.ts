import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { clientIp } from '../common/http/client-ip';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.tokens';
import { SendAccessRequestDto } from './dto/send-request.dto';
import { SendAccessResponseDto, SendFileDownloadResponseDto } from './dto/send-response.dto';
import { SendAccessGuard, SendAccessRequest } from './send-access.guard';
import { SendAccessService } from './send-access.service';

const sendOf = (req: Request): string => (req as unknown as SendAccessRequest).sendAccess?.sendId ?? '';

/**
 * Anonymous access under /api/sends (docs/sends-plan.md §2 routes 13-17). Declared before the owner's routes:
 * `POST /api/sends/access/file/{fileId}` would otherwise be taken for an upload to a Send with the id "access".
 */
@Controller('api/sends')
export class SendAccessController {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig, private readonly access: SendAccessService) {}

  @Post('access')
  @HttpCode(200)
  @UseGuards(SendAccessGuard)
  accessWithToken(@Req() req: Request): Promise<SendAccessResponseDto> {
    return this.access.access(sendOf(req));
  }

  @Post('access/file/:fileId')
  @HttpCode(200)
  @UseGuards(SendAccessGuard)
  fileWithToken(@Req() req: Request, @Param('fileId') fileId: string): Promise<SendFileDownloadResponseDto> {
    return this.access.accessFile(sendOf(req), fileId);
  }

  @Post('access/:accessId')
  @HttpCode(200)
  accessLegacy(@Param('accessId') accessId: string, @Body() dto: SendAccessRequestDto, @Req() req: Request): Promise<SendAccessResponseDto> {
    return this.access.accessLegacy(accessId, dto.password, clientIp(req, this.config));
  }

  @Post(':id/access/file/:fileId')
  @HttpCode(200)
  fileLegacy(@Param('id') id: string, @Param('fileId') fileId: string, @Body() dto: SendAccessRequestDto, @Req() req: Request): Promise<SendFileDownloadResponseDto> {
    return this.access.accessFileLegacy(id, fileId, dto.password, clientIp(req, this.config));
  }

  /** The bytes of a file Send, for the link `send-fileDownload` answered (no bearer token: the link's token decides). */
  @Get(':id/:fileId')
  async download(@Param('id') id: string, @Param('fileId') fileId: string, @Query('t') token: unknown, @Res() res: Response): Promise<void> {
    const file = await this.access.download(id, fileId, typeof token === 'string' ? token : undefined);
    res.status(200);
    res.setHeader('Content-Type', 'application/octet-stream');
    res.setHeader('Content-Length', String(file.size));
    res.setHeader('Cache-Control', 'no-store');
    file.stream.on('error', () => res.destroy());
    res.on('close', () => file.stream.destroy());
    file.stream.pipe(res);
  }
}
