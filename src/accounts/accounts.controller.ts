import { Body, Controller, Delete, Get, Header, Headers, HttpCode, Param, Post, Put, UseGuards } from '@nestjs/common';
import { ListResponseDto } from '../common/http/list-response';
import { SubscriptionResponseDto } from './accounts.service';
import { AccessTokenGuard } from '../common/auth/access-token.guard';
import { UnauthenticatedRateLimitGuard } from '../common/http/unauthenticated-rate-limit.guard';
import { Auth } from '../common/auth/auth.decorator';
import { AuthContext } from '../common/auth/auth-context';
import { IdParamDto } from '../common/validation/id-param.dto';
import { AccountsService } from './accounts.service';
import {
  ApiKeyResponseDto, KeysResponseDto, MasterPasswordPolicyResponseDto, ProfileResponseDto, UserKeyResponseDto,
} from './dto/account-response.dto';
import {
  AvatarDto, ChangeEmailDto, ChangePasswordDto, DeleteRecoverTokenDto, EmailOnlyDto, EmailTokenDto, MasterPasswordDto, OptionalMasterPasswordDto, SetKeysDto,
  SetPasswordDto, UpdateProfileDto, UserKeyIdDto, VerifyEmailTokenDto,
} from './dto/account-request.dto';
import { AccountRecoveryService } from './account-recovery.service';

@Controller('api')
@UseGuards(AccessTokenGuard)
export class AccountsController {
  constructor(private readonly accounts: AccountsService) {}

  @Get('accounts/profile')
  profile(@Auth() auth: AuthContext): Promise<ProfileResponseDto> {
    return this.accounts.profile(auth);
  }

  /** The web vault's subscription page: no subscription on a self-hosted server, and the account's attachment storage. */
  @Get('accounts/subscription')
  subscription(@Auth() auth: AuthContext): Promise<SubscriptionResponseDto> {
    return this.accounts.subscription(auth);
  }

  /**
   * The account's passkeys for logging in (the change-password page lists them). This server offers no passkey
   * login, so there are none; two-step login security keys are under /api/two-factor.
   */
  @Get('webauthn')
  loginPasskeys(): ListResponseDto<never> {
    return { object: 'list', data: [], continuationToken: null };
  }

  @Put('accounts/profile')
  updateProfile(@Auth() auth: AuthContext, @Body() dto: UpdateProfileDto): Promise<ProfileResponseDto> {
    return this.accounts.updateProfile(auth, dto);
  }

  @Post('accounts/profile')
  @HttpCode(200)
  updateProfilePost(@Auth() auth: AuthContext, @Body() dto: UpdateProfileDto): Promise<ProfileResponseDto> {
    return this.accounts.updateProfile(auth, dto);
  }

  /** A bare JSON number: milliseconds since the epoch. */
  @Get('accounts/revision-date')
  @Header('Content-Type', 'application/json; charset=utf-8')
  async revisionDate(@Auth() auth: AuthContext): Promise<string> {
    return JSON.stringify(await this.accounts.revisionDate(auth));
  }

  @Post('accounts/key-management/user-key-id')
  @HttpCode(200)
  setUserKeyId(@Auth() auth: AuthContext, @Body() dto: UserKeyIdDto): Promise<void> {
    return this.accounts.setUserKeyId(auth, dto.userKeyId);
  }

  @Get('accounts/keys')
  keys(@Auth() auth: AuthContext): Promise<KeysResponseDto> {
    return this.accounts.keys(auth);
  }

  @Post('accounts/keys')
  @HttpCode(200)
  setKeys(@Auth() auth: AuthContext, @Body() dto: SetKeysDto): Promise<KeysResponseDto> {
    return this.accounts.setKeys(auth, dto);
  }

  @Post('accounts/api-key')
  @HttpCode(200)
  apiKey(@Auth() auth: AuthContext, @Body() dto: OptionalMasterPasswordDto): Promise<ApiKeyResponseDto> {
    return this.accounts.apiKey(auth, dto.masterPasswordHash, false);
  }

  @Post('accounts/rotate-api-key')
  @HttpCode(200)
  rotateApiKey(@Auth() auth: AuthContext, @Body() dto: OptionalMasterPasswordDto): Promise<ApiKeyResponseDto> {
    return this.accounts.apiKey(auth, dto.masterPasswordHash, true);
  }

  @Post('accounts/password')
  @HttpCode(200)
  changePassword(@Auth() auth: AuthContext, @Body() dto: ChangePasswordDto): Promise<void> {
    return this.accounts.changePassword(auth, dto);
  }

  @Post('accounts/verify-email')
  @HttpCode(200)
  sendVerifyEmail(@Auth() auth: AuthContext): Promise<void> {
    return this.accounts.sendVerifyEmail(auth);
  }

  @Post('accounts/email-token')
  @HttpCode(200)
  emailToken(@Auth() auth: AuthContext, @Body() dto: EmailTokenDto): Promise<void> {
    return this.accounts.requestEmailChange(auth, dto);
  }

  @Post('accounts/email')
  @HttpCode(200)
  changeEmail(@Auth() auth: AuthContext, @Body() dto: ChangeEmailDto): Promise<void> {
    return this.accounts.changeEmail(auth, dto);
  }

  @Put('accounts/avatar')
  setAvatar(@Auth() auth: AuthContext, @Body() dto: AvatarDto): Promise<ProfileResponseDto> {
    return this.accounts.setAvatar(auth, dto.avatarColor);
  }

  @Post('accounts/avatar')
  @HttpCode(200)
  setAvatarPost(@Auth() auth: AuthContext, @Body() dto: AvatarDto): Promise<ProfileResponseDto> {
    return this.accounts.setAvatar(auth, dto.avatarColor);
  }

  @Post('accounts/set-password')
  @HttpCode(200)
  setPassword(@Auth() auth: AuthContext, @Body() dto: SetPasswordDto): Promise<{ object: 'set-password'; captchaBypassToken: string }> {
    return this.accounts.setPassword(auth, dto);
  }

  @Post('accounts/security-stamp')
  @HttpCode(200)
  securityStamp(@Auth() auth: AuthContext, @Body() dto: MasterPasswordDto): Promise<void> {
    return this.accounts.rotateSecurityStamp(auth, dto.masterPasswordHash);
  }

  @Post('accounts/verify-password')
  @HttpCode(200)
  verifyPassword(@Auth() auth: AuthContext, @Body() dto: MasterPasswordDto): Promise<MasterPasswordPolicyResponseDto> {
    return this.accounts.verifyPassword(auth, dto.masterPasswordHash);
  }

  @Delete('accounts')
  @HttpCode(200)
  deleteAccount(@Auth() auth: AuthContext, @Body() dto: OptionalMasterPasswordDto): Promise<void> {
    return this.accounts.deleteAccount(auth, dto.masterPasswordHash);
  }

  @Post('accounts/delete')
  @HttpCode(200)
  deleteAccountPost(@Auth() auth: AuthContext, @Body() dto: OptionalMasterPasswordDto): Promise<void> {
    return this.accounts.deleteAccount(auth, dto.masterPasswordHash);
  }

  @Get('users/:id/public-key')
  publicKey(@Param() { id }: IdParamDto): Promise<UserKeyResponseDto> {
    return this.accounts.publicKey(id);
  }
}

/** Account routes without a session: the verify-email link's target (the web vault may not be logged in). */
@Controller('api')
@UseGuards(UnauthenticatedRateLimitGuard)
export class AccountsPublicController {
  constructor(private readonly accounts: AccountsService, private readonly recovery: AccountRecoveryService) {}

  @Post('accounts/verify-email-token')
  @HttpCode(200)
  verifyEmailToken(@Body() dto: VerifyEmailTokenDto): Promise<void> {
    return this.accounts.verifyEmailToken(dto.userId, dto.token);
  }

  @Post('accounts/password-hint')
  @HttpCode(200)
  passwordHint(@Body() dto: EmailOnlyDto): Promise<void> {
    return this.recovery.passwordHint(dto.email);
  }

  @Post('accounts/delete-recover')
  @HttpCode(200)
  deleteRecover(@Body() dto: EmailOnlyDto): Promise<void> {
    return this.recovery.deleteRecover(dto.email);
  }

  @Post('accounts/delete-recover-token')
  @HttpCode(200)
  deleteRecoverToken(@Body() dto: DeleteRecoverTokenDto): Promise<void> {
    return this.recovery.deleteRecoverToken(dto.userId, dto.token);
  }

  /**
   * GET /api/devices/knowndevice (the web vault and the apps before a login: `X-Request-Email` base64url, and
   * `X-Device-Identifier`): whether that account has logged in from that device. A JSON boolean, false for
   * anything unknown or malformed.
   */
  @Get('devices/knowndevice')
  @Header('Content-Type', 'application/json; charset=utf-8')
  async knownDevice(@Headers('x-request-email') email: string | undefined, @Headers('x-device-identifier') identifier: string | undefined): Promise<string> {
    return JSON.stringify(await this.accounts.isKnownDevice(decodeBase64Url(email), identifier));
  }

  /** The older form, both values in the path (the email as it is). */
  @Get('devices/knowndevice/:email/:identifier')
  @Header('Content-Type', 'application/json; charset=utf-8')
  async knownDeviceInPath(@Param('email') email: string, @Param('identifier') identifier: string): Promise<string> {
    return JSON.stringify(await this.accounts.isKnownDevice(email, identifier));
  }
}

function decodeBase64Url(value: string | undefined): string | undefined {
  if (!value || value.length > 1024 || !/^[A-Za-z0-9_=+/-]+$/.test(value)) return undefined;
  return Buffer.from(value, 'base64url').toString('utf8');
}
