import { ErrorCode } from '../common/errors/error-code';
import { VaultError } from '../common/errors/vault-error';

/**
 * The form of /identity/connect/token, read the way Bitwarden's identity server reads it: field names match
 * in any case (`deviceIdentifier`, `DeviceIdentifier`, `deviceidentifier`). A field sent under two spellings is
 * refused, never guessed between.
 */
export class TokenForm {
  private constructor(private readonly fields: ReadonlyMap<string, string>) {}

  /** Throws invalid_request when one name comes twice in different cases. Non-string values are ignored. */
  static parse(body: unknown): TokenForm {
    const fields = new Map<string, string>();
    const spellings = new Map<string, string>();
    if (typeof body === 'object' && body !== null && !Array.isArray(body)) {
      for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
        const lower = key.toLowerCase();
        const earlier = spellings.get(lower);
        if (earlier !== undefined) {
          const description = `The field ${earlier} was sent more than once (${earlier}, ${key}).`;
          throw new VaultError(ErrorCode.BadRequest, description, { oauth: { error: 'invalid_request', error_description: description } });
        }
        spellings.set(lower, key);
        if (typeof value === 'string') fields.set(lower, value);
      }
    }
    return new TokenForm(fields);
  }

  /** The first of `names` (any case) that was sent as a string. */
  get(...names: string[]): string | undefined {
    for (const name of names) {
      const value = this.fields.get(name.toLowerCase());
      if (value !== undefined) return value;
    }
    return undefined;
  }
}
