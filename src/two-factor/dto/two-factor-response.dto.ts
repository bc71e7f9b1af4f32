/**
 * Response bodies of /api/two-factor. Each carries the flat fields the clients up to 2026.6 read (and Vaultwarden
 * writes) and, where bitwarden/server now nests them (`authenticator`, `webAuthn`, `options`), the nested object
 * the later clients read, so both generations work.
 */

/** One entry of GET /api/two-factor; also the answer of disable. */
export interface TwoFactorProviderResponseDto {
  enabled: boolean;
  type: number;
  object: 'twoFactorProvider';
}

export interface AuthenticatorDetailsDto { enabled: boolean; key: string }

/** get-authenticator and PUT authenticator. `key` is the TOTP secret: never logged. */
export interface TwoFactorAuthenticatorResponseDto extends AuthenticatorDetailsDto {
  authenticator: AuthenticatorDetailsDto;
  /** Only from get-authenticator. */
  userVerificationToken?: string;
  object: 'twoFactorAuthenticator';
}

export interface WebAuthnKeyResponseDto { name: string; id: number; migrated: boolean }
export interface WebAuthnDetailsDto { enabled: boolean; keys: WebAuthnKeyResponseDto[] }

/** get-webauthn, PUT and DELETE webauthn. */
export interface TwoFactorWebAuthnResponseDto extends WebAuthnDetailsDto {
  webAuthn: WebAuthnDetailsDto;
  userVerificationToken?: string;
  object: 'twoFactorWebAuthn';
}

/** get-webauthn-challenge: the creation options (flat for older clients, under `options` for newer), Fido2NetLib's status. */
export type WebAuthnChallengeResponseDto = Record<string, unknown> & {
  options: Record<string, unknown>;
  status: 'ok';
  errorMessage: '';
};

export interface EmailDetailsDto { enabled: boolean; email: string | null }

/**
 * get-email, PUT email: clients up to 2026.6 read `email` as the address, later ones as `{enabled, email}` (chosen
 * by the Bitwarden-Client-Version header).
 */
export interface TwoFactorEmailResponseDto {
  enabled: boolean;
  email: string | null | EmailDetailsDto;
  userVerificationToken?: string;
  object: 'twoFactorEmail';
}

/** get-recover. The code is a secret: never logged. */
export interface TwoFactorRecoverResponseDto { code: string | null; object: 'twoFactorRecover' }

/** GET get-device-verification-settings (kept by bitwarden/server for older clients: always off). */
export interface DeviceVerificationResponseDto {
  isDeviceVerificationSectionEnabled: false;
  unknownDeviceVerificationEnabled: false;
  object: 'deviceVerificationSettings';
}
