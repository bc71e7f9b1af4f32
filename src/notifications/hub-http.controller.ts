import { Controller, Get, Headers, Req } from '@nestjs/common';
import type { Request } from 'express';
import { ErrorCode } from '../common/errors/error-code';
import { VaultError } from '../common/errors/vault-error';

/**
 * A hub path reached as a plain GET: the upgrade headers are missing, almost always because a reverse proxy
 * dropped them. The 400 names the missing header so the cause is obvious (notifications.md §2.1).
 */
@Controller('notifications')
export class HubHttpController {
  @Get(['hub', 'anonymous-hub'])
  notUpgraded(@Req() req: Request, @Headers('upgrade') upgrade?: string, @Headers('connection') connection?: string): never {
    if (req.httpVersion === '1.0') {
      throw new VaultError(ErrorCode.MissingUpgradeHeader, 'HTTP/1.0 request: WebSockets need HTTP/1.1; the reverse proxy must talk HTTP/1.1 to the server (nginx: proxy_http_version 1.1) and forward Upgrade and Connection');
    }
    if (!upgrade || upgrade.toLowerCase() !== 'websocket') throw new VaultError(ErrorCode.MissingUpgradeHeader);
    const tokens = (connection ?? '').toLowerCase().split(',').map((t) => t.trim());
    if (!tokens.includes('upgrade')) {
      throw new VaultError(ErrorCode.MissingUpgradeHeader, 'Missing "Connection: Upgrade" header; the reverse proxy must forward Upgrade and Connection');
    }
    throw new VaultError(ErrorCode.MissingUpgradeHeader, 'Not a valid WebSocket upgrade; the reverse proxy must forward Upgrade and Connection over HTTP/1.1');
  }
}
