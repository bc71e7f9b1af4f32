import { Injectable } from '@nestjs/common';
import { verifyMasterPasswordHash } from '../accounts/password-hasher';
import { TokenService } from '../common/auth/token.service';
import { ErrorCode } from '../common/errors/error-code';
import { VaultError } from '../common/errors/vault-error';
import { UserEntity } from '../db/entities';
import { EmailCodes } from './email-codes';
import { sha256Hex } from './two-factor-data';
import { TwoFactorStateType } from './two-factor-types';

/** What a management request may prove the user with: a token from an earlier get-* call, or the secret itself. */
export interface VerificationInput {
  userVerificationToken?: string;
  masterPasswordHash?: string;
  otp?: string;
}

const PURPOSE = 'two-factor-verification';
/** Lifetime of a user verification token (bitwarden/server's two-factor tokenables: 30 minutes). */
export const USER_VERIFICATION_TOKEN_SECONDS = 30 * 60;

const EMAIL_SESSION_PURPOSE = 'two-factor-email-session';
/** How long the challenge's session token lets the caller ask for login codes by mail. */
const EMAIL_SESSION_SECONDS = 15 * 60;

const failed = (): VaultError => new VaultError(ErrorCode.UserVerificationFailed);

/** A short fingerprint of a value bound into a token (the token itself carries no secret). */
const bind = (value: string): string => sha256Hex(value).slice(0, 32);

/**
 * The user verification of two-step login management (bitwarden/server's ValidateUserBySecretAsync and the
 * two-factor user verification tokenables): the master password hash or an emailed OTP proves the user; the
 * get-* calls then hand out a signed token bound to the user, the provider (and for the authenticator, its key)
 * and the security stamp, which the following update or delete call replays instead of the secret.
 */
@Injectable()
export class UserVerification {
  constructor(private readonly tokens: TokenService, private readonly codes: EmailCodes) {}

  /** Master password hash, else OTP (consumed when `consumeOtp`); UserVerificationFailed otherwise. */
  async verifySecret(user: UserEntity, input: VerificationInput, consumeOtp = false): Promise<void> {
    if (input.masterPasswordHash) {
      if (await verifyMasterPasswordHash(user, input.masterPasswordHash, { priority: true })) return;
      throw failed();
    }
    if (input.otp) {
      const result = await this.codes.verify(user.id, TwoFactorStateType.ProtectedActions, input.otp, consumeOtp);
      if (result === 'ok') return;
      throw failed();
    }
    throw failed();
  }

  mintToken(user: UserEntity, provider: number, key?: string): string {
    return this.tokens.signPurposeToken(PURPOSE, user.id, { p: String(provider), s: bind(user.securityStamp), ...(key ? { k: bind(key) } : {}) }, USER_VERIFICATION_TOKEN_SECONDS);
  }

  /** Whether `token` was minted for this user (same security stamp), this provider and, when given, this key. */
  tokenValid(user: UserEntity, token: string, provider: number, key?: string): boolean {
    if (token.length > 4096) return false;
    const claims = this.tokens.verifyPurposeToken(PURPOSE, token);
    if (!claims || claims.sub !== user.id || claims.p !== String(provider) || claims.s !== bind(user.securityStamp)) return false;
    if (key !== undefined && claims.k !== bind(key)) return false;
    return true;
  }

  /**
   * The SsoEmail2faSessionToken of a two-step challenge that offers email: proves to send-email-login that its
   * caller passed the first factor (the clients send it back instead of the master password hash).
   */
  mintEmailSession(user: UserEntity): string {
    return this.tokens.signPurposeToken(EMAIL_SESSION_PURPOSE, user.id, { s: bind(user.securityStamp) }, EMAIL_SESSION_SECONDS);
  }

  emailSessionValid(user: UserEntity, token: string): boolean {
    if (token.length > 4096) return false;
    const claims = this.tokens.verifyPurposeToken(EMAIL_SESSION_PURPOSE, token);
    return claims !== null && claims.sub === user.id && claims.s === bind(user.securityStamp);
  }

  /**
   * A management call: the user verification token when one is sent (the current clients), else the master
   * password hash or OTP (older clients and Vaultwarden's API). UserVerificationFailed when neither holds.
   */
  async verify(user: UserEntity, input: VerificationInput, provider: number, key?: string): Promise<void> {
    if (input.userVerificationToken) {
      if (this.tokenValid(user, input.userVerificationToken, provider, key)) return;
      throw failed();
    }
    await this.verifySecret(user, input);
  }
}
