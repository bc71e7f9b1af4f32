import { Controller, Get, Param, Res } from '@nestjs/common';
import type { Response } from 'express';
import { IconsService } from './icons.service';

/**
 * GET /icons/{host}/icon.png (under DOMAIN's path, like every route): the site icon the clients show beside each
 * login, without authentication (they load it as a plain image).
 */
@Controller('icons')
export class IconsController {
  constructor(private readonly icons: IconsService) {}

  @Get(':host/icon.png')
  async icon(@Param('host') host: string, @Res() res: Response): Promise<void> {
    const answer = await this.icons.icon(host);
    res.setHeader('Cache-Control', `public, max-age=${answer.maxAgeSeconds}`);
    if (answer.kind === 'redirect') {
      res.redirect(answer.status, answer.location);
      return;
    }
    res.status(200);
    res.setHeader('Content-Type', answer.contentType);
    // Served from the vault's origin: a site's SVG opened directly must not run anything there.
    res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; sandbox");
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.end(answer.bytes);
  }
}
