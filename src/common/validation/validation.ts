import { ValidationError, ValidationPipe } from '@nestjs/common';
import { ErrorCode } from '../errors/error-code';
import { VaultError } from '../errors/vault-error';

function collect(errors: ValidationError[], prefix: string, out: Record<string, string[]>): void {
  for (const error of errors) {
    const key = prefix ? `${prefix}.${error.property}` : error.property;
    if (error.constraints) out[key] = Object.values(error.constraints);
    if (error.children?.length) collect(error.children, key, out);
  }
}

/** Global pipe: unknown fields dropped (clients send more than the server uses), violations → Bitwarden 400. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    transform: true,
    whitelist: true,
    forbidNonWhitelisted: false,
    exceptionFactory: (errors) => {
      const validationErrors: Record<string, string[]> = {};
      collect(errors, '', validationErrors);
      return new VaultError(ErrorCode.ValidationFailed, undefined, { validationErrors });
    },
  });
}
