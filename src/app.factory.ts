import { INestApplication } from '@nestjs/common';
import { webVaultHandler } from './web-vault/web-vault.handler';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import express, { NextFunction, Request, Response } from 'express';
import { readFileSync } from 'node:fs';
import { AppModule } from './app.module';
import { AppConfig } from './config/app-config';
import { ensureOwnerOnlyFolder } from './common/fs/owner-only';
import { refuseDeepJson } from './common/http/json-depth';
import { BitwardenExceptionFilter, renderError, toVaultError } from './common/errors/bitwarden-exception.filter';
import { getLogger, NestPinoLogger } from './common/logging/logger';
import { requestLogger } from './common/logging/request-logger';
import { KeyCasePipe } from './common/validation/key-case.pipe';
import { createValidationPipe } from './common/validation/validation';
import { configurePasswordHashing } from './accounts/password-hasher';
import { HubWsAdapter } from './notifications/hub-ws.adapter';
import { HubUpgradeRouter } from './notifications/hub-upgrade.router';
import { ConnectionRegistry } from './notifications/connection-registry';

/**
 * Builds the application: one HTTP(S) server for the API, identity, admin and both hubs; the DOMAIN path
 * as base path; Bitwarden error bodies for everything, parser errors included.
 */
/** Routes whose JSON body is a whole vault: the item import (personal and organization) and the user-key rotation. */
export const BULK_BODY_PATHS = ['/api/ciphers/import', '/api/ciphers/import-organization', '/api/accounts/key-management/rotate-user-account-keys'];

export async function createApp(config: AppConfig): Promise<INestApplication> {
  // Database, signing key: owner-only (0700), also when an older version or an operator made it 0755.
  ensureOwnerOnlyFolder(config.dataFolder);
  configurePasswordHashing(config.passwordHashing);
  const httpsOptions = config.tls ? { cert: readFileSync(config.tls.certPath), key: readFileSync(config.tls.keyPath) } : undefined;
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    bodyParser: false,
    logger: new NestPinoLogger(),
    httpsOptions,
  });
  app.disable('x-powered-by');
  // No client sends If-None-Match to the API: an ETag only cost a hash of every body (an 11 MB sync: ~15 ms).
  app.set('etag', false);
  app.use(requestLogger(config));
  app.use(config.basePath || '/', webVaultHandler(config));
  // The routes that carry a whole vault get the larger limit; every other body the small one (express.json skips a parsed body).
  const jsonTypes = ['application/json', 'application/*+json', 'text/json'];
  const bulkJson = express.json({ limit: config.bulkRequestBodyLimit, type: jsonTypes, verify: refuseDeepJson });
  // Mounted paths match their sub-paths too: only the exact route gets the larger limit.
  app.use(BULK_BODY_PATHS.map((path) => `${config.basePath}${path}`), (req: Request, res: Response, next: NextFunction) => (req.path === '/' ? bulkJson(req, res, next) : next()));
  app.use(express.json({ limit: config.requestBodyLimit, type: ['application/json', 'application/*+json', 'text/json'], verify: refuseDeepJson }));
  app.use(express.urlencoded({ limit: config.requestBodyLimit, extended: false }));
  app.use((error: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(error);
    const vaultError = toVaultError(error);
    res.status(vaultError.status).json(renderError(vaultError, req.path));
  });
  if (config.basePath) app.setGlobalPrefix(config.basePath);
  app.useGlobalFilters(new BitwardenExceptionFilter());
  app.useGlobalPipes(new KeyCasePipe(), createValidationPipe());
  if (config.hub.enabled) app.useWebSocketAdapter(new HubWsAdapter(app, config, app.get(HubUpgradeRouter), app.get(ConnectionRegistry)));
  else getLogger('Notifications').info('notifications.disabled: ENABLE_WEBSOCKET=false, the hubs are not mounted');
  return app;
}
