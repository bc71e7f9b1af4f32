import { Inject, Injectable } from '@nestjs/common';
import { timingSafeEqual } from 'node:crypto';
import { AccountsQueryService } from '../accounts/accounts-query.service';
import { normalizeEmail } from '../accounts/email';
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
import { LoginRateLimiter } from './login-rate-limiter';
import { verifyMasterPasswordHash } from './password-hasher';
import { TokenForm } from './token-form';
import { loginTokenResponse } from './token-response';

const log = getLogger('TokenGrant');

/** A field of the token form: device fields come in camelCase or snake_case, names match in any case. */
const field = (form: TokenForm, ...names: string[]): string | undefined => form.get(...names);

const invalidGrant = (description: string, message = 'invalid_grant'): VaultError =>
  new VaultError(ErrorCode.InvalidGrant, message, { oauth: { error: 'invalid_grant', error_description: description } });

const invalidRequest = (description: string): VaultError =>
  new VaultError(ErrorCode.BadRequest, description, { oauth: { error: 'invalid_request', error_description: description } });

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The OAuth grants official clients use: password, refresh_token, client_credentials (personal API key). */
@Injectable()
export class TokenGrantService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly accounts: AccountsQueryService,
    private readonly devices: DevicesService,
    private readonly tokens: TokenService,
    private readonly uow: UnitOfWork,
    private readonly limiter: LoginRateLimiter,
    private readonly authRequests: AuthRequestsService,
  ) {}

  async grant(body: unknown, ip: string): Promise<Record<string, unknown>> {
    const form = TokenForm.parse(body);
    const grantType = field(form, 'grant_type');
    switch (grantType) {
      case 'password':
        return this.passwordGrant(form, ip);
      case 'refresh_token':
        return this.refreshGrant(form);
      case 'client_credentials':
        return this.clientCredentialsGrant(form, ip);
      case undefined:
        throw invalidRequest('grant_type is required.');
      default:
        throw new VaultError(ErrorCode.UnsupportedGrantType, 'Unsupported grant type.', { oauth: { error: 'unsupported_grant_type', error_description: `Grant type "${grantType.slice(0, 40)}" is not supported.` } });
    }
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

  private rateLimit(keys: string[]): void {
    const wait = this.limiter.retryAfter(keys);
    if (wait > 0) throw new VaultError(ErrorCode.TooManyRequests, 'Too many login attempts. Try again later.', { headers: { 'Retry-After': String(wait) } });
  }

  private async passwordGrant(form: TokenForm, ip: string): Promise<Record<string, unknown>> {
    const username = field(form, 'username');
    const password = field(form, 'password');
    const scope = field(form, 'scope') ?? 'api offline_access';
    const clientId = field(form, 'client_id') ?? 'web';
    if (!username || !password) throw invalidRequest('username and password are required.');
    const email = normalizeEmail(username);
    const keys = [`ip:${ip}`, `account:${email}`];
    this.rateLimit(keys);
    const device = this.loginDevice(form);
    const user = await this.uow.read((db) => this.accounts.findByEmail(db, email));
    const authRequestId = field(form, 'authRequest', 'auth_request');
    const fail = (reason: string): VaultError => {
      this.limiter.recordFailure(keys);
      log.warn({ ip, reason }, 'auth.login_failed');
      return invalidGrant('invalid_username_or_password', 'Username or password is incorrect. Try again.');
    };
    if (!user) throw fail('unknown_user');
    if (authRequestId !== undefined) {
      // Login with device: the password field carries the request's access code; checked and consumed
      // in the same transaction that records the device.
      if (!UUID.test(authRequestId)) throw fail('bad_auth_request');
      if (!user.enabled) throw invalidGrant('invalid_username_or_password', 'This user has been disabled');
      return this.issue(user, device, clientId, scope.includes('offline_access'), ['api', 'offline_access'], scope, async (tx) => {
        if (!(await this.authRequests.consumeForLogin(tx, user, authRequestId.toLowerCase(), password))) throw fail('auth_request_not_usable');
      });
    }
    if (!(await verifyMasterPasswordHash(user, password))) throw fail('wrong_password');
    if (!user.enabled) throw invalidGrant('invalid_username_or_password', 'This user has been disabled');
    return this.issue(user, device, clientId, scope.includes('offline_access'), ['api', 'offline_access'], scope);
  }

  private async clientCredentialsGrant(form: TokenForm, ip: string): Promise<Record<string, unknown>> {
    const clientId = field(form, 'client_id') ?? '';
    const secret = field(form, 'client_secret') ?? '';
    const keys = [`ip:${ip}`, `client:${clientId}`];
    this.rateLimit(keys);
    const match = /^user\.(.+)$/.exec(clientId);
    if (!match?.[1] || !UUID.test(match[1])) {
      this.limiter.recordFailure(keys);
      throw new VaultError(ErrorCode.InvalidClient, 'invalid_client', { oauth: { error: 'invalid_client', error_description: 'Unknown client_id.' } });
    }
    const device = this.loginDevice(form);
    const user = await this.uow.read((db) => this.accounts.findById(db, match[1]!.toLowerCase()));
    const expected = Buffer.from(user?.apiKey ?? '', 'utf8');
    const given = Buffer.from(secret, 'utf8');
    if (!user || expected.length === 0 || expected.length !== given.length || !timingSafeEqual(expected, given)) {
      this.limiter.recordFailure(keys);
      log.warn({ ip, reason: 'bad_client_secret' }, 'auth.login_failed');
      throw new VaultError(ErrorCode.InvalidClient, 'invalid_client', { oauth: { error: 'invalid_client', error_description: 'Invalid client credentials.' } });
    }
    if (!user.enabled) throw invalidGrant('invalid_username_or_password', 'This user has been disabled');
    return this.issue(user, device, 'cli', false, ['api'], 'api');
  }

  private async refreshGrant(form: TokenForm): Promise<Record<string, unknown>> {
    const refreshToken = field(form, 'refresh_token');
    if (!refreshToken || refreshToken.length > 512) throw invalidGrant('invalid_refresh_token');
    const session = await this.uow.read(async (db) => {
      const device = await this.devices.findByRefreshToken(db, refreshToken);
      const user = device ? await this.accounts.findById(db, device.userId) : null;
      return device && user ? { device, user } : null;
    });
    if (!session || !session.user.enabled) throw invalidGrant('invalid_refresh_token');
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
    return { access_token: token, expires_in: expiresIn, token_type: 'Bearer', refresh_token: refreshToken, scope: 'api offline_access' };
  }

  private async issue(
    user: UserEntity, login: LoginDevice, clientId: string, withRefresh: boolean, scopes: string[], scopeText: string,
    precheck?: (tx: Tx) => Promise<void>,
  ): Promise<Record<string, unknown>> {
    const { device, refreshToken } = await this.uow.run(async (tx) => {
      if (precheck) await precheck(tx);
      return this.devices.recordLogin(tx, user.id, login, withRefresh);
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
    return loginTokenResponse(user, token, expiresIn, refreshToken, scopeText);
  }
}
