import { ERROR_TABLE, ErrorCode } from './error-code';

export interface OAuthError {
  error: string;
  error_description?: string;
  /**
   * The identity server's CustomResponse (e.g. the two-step login challenge: TwoFactorProviders, TwoFactorProviders2):
   * sent after `error` and `error_description` instead of the ErrorModel.
   */
  customResponse?: Record<string, unknown>;
}

/** A domain error: services throw these, the exception filter renders them. */
export class VaultError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message?: string,
    readonly details: { validationErrors?: Record<string, string[]>; oauth?: OAuthError; headers?: Record<string, string> } = {},
  ) {
    super(message ?? ERROR_TABLE[code].message);
    this.status = ERROR_TABLE[code].status;
  }
}
