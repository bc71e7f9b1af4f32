import { Inject, Injectable, Optional } from '@nestjs/common';
import { Metrics } from '../common/metrics/metrics';
import { SendAccessService, SendAccessTokenResponseDto } from '../sends/send-access.service';
import { timingSafeEqual } from 'node:crypto';
import { AccountMailService } from '../accounts/account-mail.service';
import { AccountsQueryService } from '../accounts/accounts-query.service';
import { normalizeEmail } from '../accounts/email';
import { MasterPasswordPolicySource } from '../accounts/master-password-policy';
import { TokenService } from '../common/auth/token.service';
import { ErrorCode } from '../common/errors/error-code';
import { VaultError } from '../common/errors/vault-error';
import { getLogger } from '../common/logging/logger';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.tokens';
import { UserEntity } from '../db/entities';
import { Tx, UnitOfWork } from '../db/unit-of-work';
import { AuthRequestsService } from '../auth-requests/auth-requests.service';
import { DevicesService, LoginDevice } from '../devices/devices.service';
import { LoginOutcome, LoginRateLimiter } from './login-rate-limiter';
import { UnauthenticatedRateLimiter } from '../common/http/unauthenticated-rate-limiter';
import { verifyAgainstNoAccount, verifyMasterPasswordHash } from '../accounts/password-hasher';
import { TokenForm } from './token-form';
import { LoginTokenResponseDto, TokenResponseDto } from './dto/token-response.dto';
import { loginTokenResponse, refreshTokenResponse } from './token-response';
import { SecondFactorOutcome, TwoFactorLoginService } from '../two-factor/two-factor-login.service';

const log = getLogger('TokenGrant');

/** A field of the token form: device fields come in camelCase or snake_case, names match in any case. */
const field = (form: TokenForm, ...names: string[]): string | undefined => form.get(...names);

const invalidGrant = (description: string, message = 'invalid_grant'): VaultError =>
  new VaultError(ErrorCode.InvalidGrant, message, { oauth: { error: 'invalid_grant', error_description: description } });

const invalidRequest = (description: string): VaultError =>
  new VaultError(ErrorCode.BadRequest, description, { oauth: { error: 'invalid_request', error_description: description } });

/** Longest username (an email) or client secret looked at; RFC 5321 caps an address at 254 characters. */
export const MAX_USERNAME_LENGTH = 256;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The OAuth grants official clients use: password, refresh_token, client_credentials (personal API key), send_access (anonymous Send access). */
@Injectable()
export class TokenGrantService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly accounts: AccountsQueryService,
    private readonly devices: DevicesService,
    private readonly tokens: TokenService,
    private readonly uow: UnitOfWork,
    private readonly limiter: LoginRateLimiter,
    private readonly unauthenticatedLimiter: UnauthenticatedRateLimiter,
    private readonly authRequests: AuthRequestsService,
    private readonly twoFactor: TwoFactorLoginService,
    private readonly accountMail: AccountMailService,
    private readonly sendAccess: SendAccessService,
    /** Absent without the organizations feature (unit tests): no policy then. */
    @Optional() private readonly masterPasswordPolicies?: MasterPasswordPolicySource,
    @Optional() private readonly metrics?: Metrics,
  ) {}

  async grant(body: unknown, ip: string): Promise<LoginTokenResponseDto | TokenResponseDto | SendAccessTokenResponseDto> {
    const form = TokenForm.parse(body);
    const grantType = field(form, 'grant_type');
    const label = ['password', 'refresh_token', 'client_credentials', 'send_access'].includes(grantType ?? '') ? (grantType as string) : 'other';
    try {
      const answer = await this.byType(grantType, form, ip);
      this.metrics?.logins.inc({ grant: label, result: 'ok' });
      return answer;
    } catch (error) {
      this.metrics?.logins.inc({ grant: label, result: error instanceof VaultError && error.status === 400 && error.details.oauth?.customResponse?.TwoFactorProviders2 ? 'two_factor_required' : 'refused' });
      throw error;
    }
  }

  private async byType(grantType: string | undefined, form: TokenForm, ip: string): Promise<LoginTokenResponseDto | TokenResponseDto | SendAccessTokenResponseDto> {
    switch (grantType) {
      case 'password':
        return this.passwordGrant(form, ip);
      case 'refresh_token':
        this.limitUnauthenticated(ip);
        return this.refreshGrant(form);
      case 'client_credentials':
        return this.clientCredentialsGrant(form, ip);
      case 'send_access':
        return this.sendAccess.grant({
          clientId: field(form, 'client_id'), scope: field(form, 'scope'), sendId: field(form, 'send_id'), passwordHashB64: field(form, 'password_hash_b64'),
        }, ip);
      case undefined:
        throw invalidRequest('grant_type is required.');
      default:
        throw new VaultError(ErrorCode.UnsupportedGrantType, 'Unsupported grant type.', { oauth: { error: 'unsupported_grant_type', error_description: `Grant type "${grantType.slice(0, 40)}" is not supported.` } });
    }
  }

  /** Grants that need no password (a refresh) still cost a lookup and a signature: UNAUTHENTICATED_RATELIMIT_* per address. */
  private limitUnauthenticated(ip: string): void {
    const wait = this.unauthenticatedLimiter.hit(ip, 'refresh');
    if (wait > 0) throw new VaultError(ErrorCode.TooManyRequests, undefined, { headers: { 'Retry-After': String(wait) } });
  }

  private loginDevice(form: TokenForm): LoginDevice {
    const identifier = field(form, 'deviceIdentifier', 'device_identifier');
    const typeText = field(form, 'deviceType', 'device_type');
    const name = field(form, 'deviceName', 'device_name');
    if (!identifier || !typeText || !name) throw invalidRequest('deviceIdentifier, deviceType and deviceName are required.');
    const type = Number(typeText);
    if (!Number.isInteger(type) || type < 0 || type > 100) throw invalidRequest('deviceType must be a device type number.');
    if (identifier.length > 64 || name.length > 255) throw invalidRequest('deviceIdentifier or deviceName is too long.');
    const pushToken = field(form, 'devicePushToken', 'device_push_token');
    const usablePushToken = pushToken !== undefined && pushToken !== '' && pushToken.length <= 4096 ? pushToken : undefined;
    return { identifier: identifier.toLowerCase(), type, name, ...(usablePushToken ? { pushToken: usablePushToken } : {}) };
  }

  private async passwordGrant(form: TokenForm, ip: string): Promise<LoginTokenResponseDto> {
    const username = field(form, 'username');
    const password = field(form, 'password');
    const scope = field(form, 'scope') ?? 'api offline_access';
    const clientId = field(form, 'client_id') ?? 'web';
    if (!username || !password) throw invalidRequest('username and password are required.');
    // Cheap refusals first, before any limiter state or hashing: no real email is this long.
    if (username.length > MAX_USERNAME_LENGTH) throw invalidGrant('invalid_username_or_password', 'Username or password is incorrect. Try again.');
    const device = this.loginDevice(form);
    const email = normalizeEmail(username);
    // Reserved synchronously: concurrent guesses count before any of them awaits.
    const attempt = this.limiter.begin(ip, email);
    let outcome: LoginOutcome = 'untried';
    try {
      const { user, knownDevice } = await this.uow.read(async (db) => {
        const found = await this.accounts.findByEmail(db, email);
        return { user: found, knownDevice: found ? await this.devices.isKnownDevice(db, found.id, device.identifier) : false };
      });
      attempt.claimAccount(email, knownDevice);
      const authRequestId = field(form, 'authRequest', 'auth_request');
      const fail = (reason: string): VaultError => {
        outcome = 'failure';
        log.warn({ ip, reason }, 'auth.login_failed');
        return invalidGrant('invalid_username_or_password', 'Username or password is incorrect. Try again.');
      };
      // Two-step login, once the first factor passed: the challenge is not a failed attempt, a wrong code is.
      const secondFactor = async (account: UserEntity): Promise<SecondFactorOutcome> => {
        const result = await this.twoFactor.verify(account, {
          provider: field(form, 'twoFactorProvider', 'two_factor_provider'),
          token: field(form, 'twoFactorToken', 'two_factor_token'),
          remember: field(form, 'twoFactorRemember', 'two_factor_remember') === '1',
        }, device, ip);
        if (result.kind === 'challenge' || result.kind === 'refused') {
          outcome = result.kind === 'refused' ? 'failure' : 'success';
          throw result.error;
        }
        return result;
      };
      if (!user) {
        // The same work and the same answer as a wrong password: timing does not tell which emails exist.
        await verifyAgainstNoAccount(password, this.config.passwordIterations);
        throw fail('unknown_user');
      }
      if (authRequestId !== undefined) {
        // Login with device: the password field carries the request's access code; checked and consumed
        // in the same transaction that records the device.
        if (!UUID.test(authRequestId)) throw fail('bad_auth_request');
        if (!user.enabled) throw invalidGrant('invalid_username_or_password', 'This user has been disabled');
        const requestId = authRequestId.toLowerCase();
        // Checked first without using it up: an account with two-step login may answer with the challenge.
        if (!(await this.uow.read((db) => this.authRequests.usableForLogin(db, user, requestId, password)))) throw fail('auth_request_not_usable');
        await this.refuseUnverified(user);
        const passed = await secondFactor(user);
        const issued = await this.issue(user, device, ip, clientId, scope.includes('offline_access'), ['api', 'offline_access'], scope, async (tx) => {
          if (!(await this.authRequests.consumeForLogin(tx, user, requestId, password))) throw fail('auth_request_not_usable');
        }, passed);
        outcome = 'success';
        return issued;
      }
      // A device the account knows queues ahead of strangers for the hash (see WorkGate).
      if (!(await verifyMasterPasswordHash(user, password, { priority: knownDevice }))) throw fail('wrong_password');
      outcome = 'success';
      if (!user.enabled) throw invalidGrant('invalid_username_or_password', 'This user has been disabled');
      await this.refuseUnverified(user);
      const passed = await secondFactor(user);
      return await this.issue(user, device, ip, clientId, scope.includes('offline_access'), ['api', 'offline_access'], scope, undefined, passed);
    } catch (error) {
      if (error instanceof VaultError && error.code === ErrorCode.ServerBusy) outcome = 'busy';
      throw error;
    } finally {
      attempt.settle(outcome);
    }
  }

  private async clientCredentialsGrant(form: TokenForm, ip: string): Promise<LoginTokenResponseDto> {
    const clientId = field(form, 'client_id') ?? '';
    const secret = field(form, 'client_secret') ?? '';
    const invalidClient = (description: string): VaultError =>
      new VaultError(ErrorCode.InvalidClient, 'invalid_client', { oauth: { error: 'invalid_client', error_description: description } });
    const match = /^user\.(.+)$/.exec(clientId);
    // Malformed ids are refused before any limiter state: they can never match, and cost nothing to check.
    if (!match?.[1] || !UUID.test(match[1]) || secret.length > MAX_USERNAME_LENGTH) throw invalidClient('Unknown client_id.');
    const device = this.loginDevice(form);
    const attempt = this.limiter.begin(ip, clientId.toLowerCase());
    let outcome: LoginOutcome = 'untried';
    try {
      const user = await this.uow.read((db) => this.accounts.findById(db, match[1]!.toLowerCase()));
      const expected = Buffer.from(user?.apiKey ?? '', 'utf8');
      const given = Buffer.from(secret, 'utf8');
      if (!user || expected.length === 0 || expected.length !== given.length || !timingSafeEqual(expected, given)) {
        outcome = 'failure';
        log.warn({ ip, reason: 'bad_client_secret' }, 'auth.login_failed');
        throw invalidClient('Invalid client credentials.');
      }
      outcome = 'success';
      if (!user.enabled) throw invalidGrant('invalid_username_or_password', 'This user has been disabled');
      return await this.issue(user, device, ip, 'cli', false, ['api'], 'api');
    } finally {
      attempt.settle(outcome);
    }
  }

  private async refreshGrant(form: TokenForm): Promise<TokenResponseDto> {
    const presented = field(form, 'refresh_token');
    if (!presented || presented.length > 4096) throw invalidGrant('invalid_refresh_token');
    // A refresh token Vaultwarden issued (before an import) wraps the device's opaque token; the answer hands that
    // opaque token back, so the client holds this server's form from now on.
    const refreshToken = this.tokens.vaultwardenRefreshDeviceToken(presented) ?? presented;
    if (refreshToken.length > 512) throw invalidGrant('invalid_refresh_token');
    // Unknown, revoked, idle past REFRESH_TOKEN_IDLE_DAYS, or its user gone or disabled: the same invalid_grant.
    // Otherwise the token's idle window slides (committed only with a successful lookup).
    const session = await this.uow.run(async (tx) => {
      const device = await this.devices.useRefreshToken(tx, refreshToken);
      const user = device ? await this.accounts.findById(tx.manager, device.userId) : null;
      if (!device || !user || !user.enabled) throw invalidGrant('invalid_refresh_token');
      return { device, user };
    });
    const clientId = field(form, 'client_id');
    const { token, expiresIn } = this.tokens.issueAccessToken({
      user: session.user,
      device: { identifier: session.device.identifier, type: session.device.type },
      clientId: clientId && clientId !== 'undefined' ? clientId : 'web',
      scope: ['api', 'offline_access'],
      amr: ['Application'],
    });
    // A mobile device whose relay registration is not current is re-registered (queued; never fails the grant).
    await this.devices.syncPushAtLogin(session.device, undefined);
    // The refresh token is reused until the session ends (revoked on logout, password change or deauth).
    return refreshTokenResponse(token, expiresIn, refreshToken);
  }

  /**
   * SIGNUPS_VERIFY with mail: a password login of an unverified address is refused with Vaultwarden's message (after
   * the password passed; the verification mail may be re-sent). The API key is not held back, as in Vaultwarden.
   */
  private async refuseUnverified(user: UserEntity): Promise<void> {
    if (await this.accountMail.holdUnverifiedLogin(user)) throw invalidGrant('invalid_grant', 'Please verify your email before trying again.');
  }

  private async issue(
    user: UserEntity, login: LoginDevice, ip: string, clientId: string, withRefresh: boolean, scopes: string[], scopeText: string,
    precheck?: (tx: Tx) => Promise<void>, secondFactor?: SecondFactorOutcome,
  ): Promise<LoginTokenResponseDto> {
    const { device, refreshToken, twoFactorToken, masterPasswordPolicy } = await this.uow.run(async (tx) => {
      if (precheck) await precheck(tx);
      const recorded = await this.devices.recordLogin(tx, user.id, login, withRefresh);
      // A device the account never used: the "new device" mail, or with REQUIRE_DEVICE_EMAIL and no mail, no login.
      if (recorded.isNew && (await this.accountMail.notifyNewDevice(tx, user, recorded.device, ip)) === 'refused') {
        log.warn({ userId: user.id, reason: 'device_email_required' }, 'auth.login_refused');
        throw invalidGrant('invalid_grant', 'Could not send login notification email. Please contact your administrator.');
      }
      // The login passed its second factor: the incomplete login is done, a remember token issued when asked for.
      const rememberToken = secondFactor ? await this.twoFactor.complete(tx, user, recorded.device, secondFactor) : null;
      const policy = (await this.masterPasswordPolicies?.masterPasswordPolicyFor(tx.manager, user.id)) ?? null;
      return { ...recorded, twoFactorToken: rememberToken, masterPasswordPolicy: policy };
    });
    // devicePushToken stored like a token update; re-registration of a known mobile device queued. Never throws.
    await this.devices.syncPushAtLogin(device, login.pushToken);
    const { token, expiresIn } = this.tokens.issueAccessToken({
      user,
      device: { identifier: device.identifier, type: device.type },
      clientId,
      scope: scopes,
      amr: ['Application'],
    });
    log.info({ userId: user.id, deviceId: device.id, deviceType: device.type }, 'auth.login');
    return loginTokenResponse(user, token, expiresIn, refreshToken, scopeText, twoFactorToken, masterPasswordPolicy);
  }
}
