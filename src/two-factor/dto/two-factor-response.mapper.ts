import { WebAuthnKey } from '../two-factor-data';
import {
  DeviceVerificationResponseDto, TwoFactorAuthenticatorResponseDto, TwoFactorEmailResponseDto, TwoFactorProviderResponseDto,
  TwoFactorRecoverResponseDto, TwoFactorWebAuthnResponseDto, WebAuthnChallengeResponseDto,
} from './two-factor-response.dto';

export function toProviderResponse(type: number, enabled: boolean): TwoFactorProviderResponseDto {
  return { enabled, type, object: 'twoFactorProvider' };
}

export function toAuthenticatorResponse(enabled: boolean, key: string, userVerificationToken?: string): TwoFactorAuthenticatorResponseDto {
  return { enabled, key, authenticator: { enabled, key }, ...(userVerificationToken ? { userVerificationToken } : {}), object: 'twoFactorAuthenticator' };
}

export function toWebAuthnResponse(enabled: boolean, keys: WebAuthnKey[], userVerificationToken?: string): TwoFactorWebAuthnResponseDto {
  const list = [...keys].sort((a, b) => a.id - b.id).map((key) => ({ name: key.name, id: key.id, migrated: key.migrated }));
  return { enabled, keys: list, webAuthn: { enabled, keys: list }, ...(userVerificationToken ? { userVerificationToken } : {}), object: 'twoFactorWebAuthn' };
}

export function toWebAuthnChallengeResponse(options: object): WebAuthnChallengeResponseDto {
  const fields = { ...(options as Record<string, unknown>), status: 'ok' as const, errorMessage: '' as const };
  return { ...fields, options: fields };
}

export function toEmailResponse(enabled: boolean, email: string | null, nested: boolean, userVerificationToken?: string): TwoFactorEmailResponseDto {
  return { enabled, email: nested ? { enabled, email } : email, ...(userVerificationToken ? { userVerificationToken } : {}), object: 'twoFactorEmail' };
}

export function toRecoverResponse(code: string | null): TwoFactorRecoverResponseDto {
  return { code, object: 'twoFactorRecover' };
}

export function toDeviceVerificationResponse(): DeviceVerificationResponseDto {
  return { isDeviceVerificationSectionEnabled: false, unknownDeviceVerificationEnabled: false, object: 'deviceVerificationSettings' };
}
