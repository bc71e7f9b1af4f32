import { buildMessage, ValidateBy, ValidationOptions } from 'class-validator';

/**
 * A Bitwarden EncString: the encryption type as one digit, a dot, then base64 parts separated by `|`
 * (`2.<iv>|<data>|<mac>`, `4.<data>`, …). The server never decrypts; it only refuses what cannot be one.
 */
export const ENC_STRING_PATTERN = /^[0-9]\.[A-Za-z0-9+/=_|-]+$/;

export function isEncString(value: unknown): value is string {
  return typeof value === 'string' && ENC_STRING_PATTERN.test(value);
}

/** Property must be an EncString (combine with `@IsOptional()` to allow null or absence). */
export function IsEncString(validationOptions?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isEncString',
      validator: {
        validate: (value: unknown) => isEncString(value),
        defaultMessage: buildMessage((eachPrefix) => `${eachPrefix}$property must be an encrypted string`, validationOptions),
      },
    },
    validationOptions,
  );
}
