/** TwoFactorProviderType: numbers and names as in bitwarden/server (Bit.Core.Auth.Enums). */
export enum TwoFactorProviderType {
  Authenticator = 0,
  Email = 1,
  Duo = 2,
  YubiKey = 3,
  /** Deprecated by WebAuthn. */
  U2f = 4,
  /** "Remember this device": a token issued by an earlier two-step login from the same device. */
  Remember = 5,
  OrganizationDuo = 6,
  WebAuthn = 7,
  /** The recovery code: turns two-step login off and logs in. */
  RecoveryCode = 8,
}

/**
 * Rows of the two_factor table that are not providers but pending state (Vaultwarden's numbers): never listed,
 * never count as two-step login being on.
 */
export enum TwoFactorStateType {
  /** The code sent to set up email two-step login, with the address it went to. */
  EmailVerificationChallenge = 1002,
  WebAuthnRegisterChallenge = 1003,
  WebAuthnLoginChallenge = 1004,
  /** An emailed one-time password for protected actions (request-otp / verify-otp). */
  ProtectedActions = 2000,
}

/** Provider types this server offers. */
export const OFFERED_PROVIDERS: readonly TwoFactorProviderType[] = [TwoFactorProviderType.Authenticator, TwoFactorProviderType.Email, TwoFactorProviderType.WebAuthn];

/** Types below this are providers; at and above, pending state (TwoFactorStateType). */
export const FIRST_STATE_TYPE = 1000;

/** Lifetime of a "remember this device" token (bitwarden/server's TwoFactorRememberTokenProvider: 30 days). */
export const REMEMBER_DAYS = 30;

/** Whether a stored provider can be used on this server now: the offered ones, email only while mail is configured. */
export function providerUsable(type: number, mailEnabled: boolean): boolean {
  if (type === TwoFactorProviderType.Email) return mailEnabled;
  return OFFERED_PROVIDERS.includes(type);
}
