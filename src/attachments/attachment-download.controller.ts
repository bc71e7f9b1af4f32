import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { AttachmentDownload, AttachmentsService } from './attachments.service';

/** Streams the encrypted bytes; a broken stream ends the response instead of hanging it. */
function send(res: Response, download: AttachmentDownload): void {
  res.status(200);
  res.setHeader('Content-Type', 'application/octet-stream');
  res.setHeader('Content-Length', String(download.size));
  res.setHeader('Content-Disposition', `attachment; filename="${download.fileName.replace(/["\\\r\n]/g, '')}"`);
  res.setHeader('Cache-Control', 'no-store');
  download.stream.on('error', () => res.destroy());
  res.on('close', () => download.stream.destroy());
  download.stream.pipe(res);
}

/**
 * The download links (no bearer token: the link's token is the only authorisation, as the clients fetch it):
 * Vaultwarden's `/attachments/{cipherId}/{attachmentId}?token=` and the official `/api/ciphers/attachment/download?token=`.
 */
@Controller()
export class AttachmentDownloadController {
  constructor(private readonly attachments: AttachmentsService) {}

  @Get('attachments/:cipherId/:attachmentId')
  async byPath(@Param('cipherId') cipherId: string, @Param('attachmentId') attachmentId: string, @Query('token') token: unknown, @Res() res: Response): Promise<void> {
    send(res, await this.attachments.download(typeof token === 'string' ? token : undefined, cipherId, attachmentId));
  }

  @Get('api/ciphers/attachment/download')
  async byToken(@Query('token') token: unknown, @Res() res: Response): Promise<void> {
    send(res, await this.attachments.download(typeof token === 'string' ? token : undefined));
  }
}
