/** Bitwarden's API error body (Vaultwarden field list). */
export function apiErrorBody(message: string, validationErrors?: Record<string, string[]>): Record<string, unknown> {
  return {
    message,
    validationErrors: validationErrors ?? { '': [message] },
    errorModel: { message, object: 'error' },
    error: '',
    error_description: '',
    exceptionMessage: null,
    exceptionStackTrace: null,
    innerExceptionMessage: null,
    object: 'error',
  };
}

/** OAuth error body of /identity/connect/token, with Bitwarden's ErrorModel. */
export function identityErrorBody(error: string, description: string, message: string): Record<string, unknown> {
  return { error, error_description: description, ErrorModel: { Message: message, Object: 'error' } };
}
