import { ArgumentsHost, Catch, ExceptionFilter, HttpException } from '@nestjs/common';
import type { Request, Response } from 'express';
import { getLogger } from '../logging/logger';
import { apiErrorBody, identityErrorBody } from './error-body';
import { ERROR_TABLE, ErrorCode } from './error-code';
import { VaultError } from './vault-error';

const log = getLogger('ExceptionFilter');

/** Renders every error as Bitwarden's error JSON; the only place that owns the wire format of errors. */
@Catch()
export class BitwardenExceptionFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') return;
    const ctx = host.switchToHttp();
    const response = ctx.getResponse<Response>();
    const request = ctx.getRequest<Request>();
    const error = toVaultError(exception);
    if (error.code === ErrorCode.Internal) {
      log.error({ err: exception instanceof Error ? { name: exception.name, message: exception.message, stack: exception.stack } : String(exception), path: request.path }, 'request.failed');
    }
    if (response.headersSent) return;
    for (const [name, value] of Object.entries(error.details.headers ?? {})) response.setHeader(name, value);
    response.status(error.status).json(renderError(error, request.path));
  }
}

export function renderError(error: VaultError, path: string): Record<string, unknown> {
  if (error.details.oauth && path.endsWith('/identity/connect/token')) {
    const { customResponse } = error.details.oauth;
    if (customResponse) return { error: error.details.oauth.error, error_description: error.details.oauth.error_description ?? '', ...customResponse };
    return identityErrorBody(error.details.oauth.error, error.details.oauth.error_description ?? '', error.message);
  }
  return apiErrorBody(error.message, error.details.validationErrors);
}

export function toVaultError(exception: unknown): VaultError {
  if (exception instanceof VaultError) return exception;
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    if (status === 404) return new VaultError(ErrorCode.NotFound);
    if (status === 413) return new VaultError(ErrorCode.BodyTooLarge);
    if (status === 429) return new VaultError(ErrorCode.TooManyRequests);
    if (status === 401) return new VaultError(ErrorCode.InvalidToken);
    if (status >= 400 && status < 500) return new VaultError(ErrorCode.BadRequest, exception.message);
  }
  const parserType = (exception as { type?: unknown } | null)?.type;
  if (parserType === 'entity.parse.failed') return new VaultError(ErrorCode.MalformedJson);
  if (parserType === 'entity.too.large') return new VaultError(ErrorCode.BodyTooLarge);
  if (parserType === 'entity.too.deep') return new VaultError(ErrorCode.BodyTooDeep);
  if (typeof parserType === 'string' && parserType.startsWith('encoding.') || parserType === 'charset.unsupported') {
    return new VaultError(ErrorCode.BadRequest, 'Unsupported request encoding.');
  }
  return new VaultError(ErrorCode.Internal, ERROR_TABLE[ErrorCode.Internal].message);
}
