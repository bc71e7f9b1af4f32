import { ArgumentMetadata, Injectable, PipeTransform } from '@nestjs/common';
import { ErrorCode } from '../errors/error-code';
import { VaultError } from '../errors/vault-error';
import { dtoKeyShape, hasKeyShape } from './dto-key-shape';
import { KeyCaseConflictError, KeyConflict, normalizeKeyCase } from './key-case';

/** The Bitwarden 400 for a body that spelled one field twice (`username` and `Username`). */
export function keyConflictError(conflicts: KeyConflict[]): VaultError {
  const validationErrors: Record<string, string[]> = {};
  for (const conflict of conflicts) {
    validationErrors[conflict.path] = [`The field was sent under more than one spelling (${conflict.spellings.join(', ')}); send it once.`];
  }
  return new VaultError(ErrorCode.ValidationFailed, undefined, { validationErrors });
}

/**
 * Runs before validation on every body and query DTO: keys that match a declared property in another case
 * (`Name`, `login.Username`, `passwordHistory[].LastUsedDate`) take the declared spelling, as ASP.NET Core
 * binds them; a field sent twice in different cases is a 400. Parameters without a DTO class pass unchanged.
 */
@Injectable()
export class KeyCasePipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if ((metadata.type !== 'body' && metadata.type !== 'query') || !hasKeyShape(metadata.metatype)) return value;
    try {
      return normalizeKeyCase(value, dtoKeyShape(metadata.metatype));
    } catch (error) {
      if (error instanceof KeyCaseConflictError) throw keyConflictError(error.conflicts);
      throw error;
    }
  }
}
