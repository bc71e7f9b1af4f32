import { Body, Controller, Delete, Get, Headers, HttpCode, Inject, Param, Post, Put, Req, UseGuards } from '@nestjs/common';
import type { Request } from 'express';
import { AccessTokenGuard } from '../common/auth/access-token.guard';
import { Auth } from '../common/auth/auth.decorator';
import { AuthContext } from '../common/auth/auth-context';
import { clientIp } from '../common/http/client-ip';
import { ListResponseDto } from '../common/http/list-response';
import { UnauthenticatedRateLimitGuard } from '../common/http/unauthenticated-rate-limit.guard';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.tokens';
import { readsNestedTwoFactorBodies } from './client-version';
import {
  DeleteAuthenticatorDto, DeleteWebAuthnDto, DisableTwoFactorDto, EmailLoginDto, EmailSetupDto, OrganizationIdParamDto, SecretVerificationDto,
  TwoFactorRecoveryDto, UpdateAuthenticatorDto, UpdateEmailDto, UpdateWebAuthnDto, UserVerificationDto, VerifyOtpDto,
} from './dto/two-factor-request.dto';
import {
  DeviceVerificationResponseDto, TwoFactorAuthenticatorResponseDto, TwoFactorEmailResponseDto, TwoFactorProviderResponseDto,
  TwoFactorRecoverResponseDto, TwoFactorWebAuthnResponseDto, WebAuthnChallengeResponseDto,
} from './dto/two-factor-response.dto';
import { TwoFactorService } from './two-factor.service';

const CLIENT_VERSION = 'bitwarden-client-version';

/** /api/two-factor and the OTP routes of /api/accounts, for a signed-in user (bitwarden/server TwoFactorController). */
@Controller('api')
@UseGuards(AccessTokenGuard)
export class TwoFactorController {
  constructor(private readonly twoFactor: TwoFactorService) {}

  @Get('two-factor')
  list(@Auth() auth: AuthContext): Promise<ListResponseDto<TwoFactorProviderResponseDto>> {
    return this.twoFactor.list(auth);
  }

  @Get('two-factor/get-device-verification-settings')
  deviceVerificationSettings(): DeviceVerificationResponseDto {
    return this.twoFactor.deviceVerificationSettings();
  }

  @Put('two-factor/device-verification-settings')
  putDeviceVerificationSettings(): DeviceVerificationResponseDto {
    return this.twoFactor.deviceVerificationSettings();
  }

  @Post('two-factor/get-authenticator')
  @HttpCode(200)
  getAuthenticator(@Auth() auth: AuthContext, @Body() dto: SecretVerificationDto): Promise<TwoFactorAuthenticatorResponseDto> {
    return this.twoFactor.getAuthenticator(auth, dto);
  }

  @Put('two-factor/authenticator')
  putAuthenticator(@Auth() auth: AuthContext, @Body() dto: UpdateAuthenticatorDto): Promise<TwoFactorAuthenticatorResponseDto> {
    return this.twoFactor.putAuthenticator(auth, dto);
  }

  @Post('two-factor/authenticator')
  @HttpCode(200)
  postAuthenticator(@Auth() auth: AuthContext, @Body() dto: UpdateAuthenticatorDto): Promise<TwoFactorAuthenticatorResponseDto> {
    return this.twoFactor.putAuthenticator(auth, dto);
  }

  @Delete('two-factor/authenticator')
  deleteAuthenticator(@Auth() auth: AuthContext, @Body() dto: DeleteAuthenticatorDto): Promise<TwoFactorProviderResponseDto> {
    return this.twoFactor.deleteAuthenticator(auth, dto);
  }

  @Post('two-factor/get-recover')
  @HttpCode(200)
  getRecover(@Auth() auth: AuthContext, @Body() dto: SecretVerificationDto): Promise<TwoFactorRecoverResponseDto> {
    return this.twoFactor.getRecover(auth, dto);
  }

  @Put('two-factor/disable')
  disable(@Auth() auth: AuthContext, @Body() dto: DisableTwoFactorDto): Promise<TwoFactorProviderResponseDto> {
    return this.twoFactor.disable(auth, dto);
  }

  @Post('two-factor/disable')
  @HttpCode(200)
  disablePost(@Auth() auth: AuthContext, @Body() dto: DisableTwoFactorDto): Promise<TwoFactorProviderResponseDto> {
    return this.twoFactor.disable(auth, dto);
  }

  @Post('two-factor/get-webauthn')
  @HttpCode(200)
  getWebAuthn(@Auth() auth: AuthContext, @Body() dto: SecretVerificationDto): Promise<TwoFactorWebAuthnResponseDto> {
    return this.twoFactor.getWebAuthn(auth, dto);
  }

  @Post('two-factor/get-webauthn-challenge')
  @HttpCode(200)
  webAuthnChallenge(@Auth() auth: AuthContext, @Body() dto: UserVerificationDto): Promise<WebAuthnChallengeResponseDto> {
    return this.twoFactor.webAuthnChallenge(auth, dto);
  }

  @Put('two-factor/webauthn')
  putWebAuthn(@Auth() auth: AuthContext, @Body() dto: UpdateWebAuthnDto): Promise<TwoFactorWebAuthnResponseDto> {
    return this.twoFactor.putWebAuthn(auth, dto);
  }

  @Post('two-factor/webauthn')
  @HttpCode(200)
  postWebAuthn(@Auth() auth: AuthContext, @Body() dto: UpdateWebAuthnDto): Promise<TwoFactorWebAuthnResponseDto> {
    return this.twoFactor.putWebAuthn(auth, dto);
  }

  @Delete('two-factor/webauthn')
  deleteWebAuthn(@Auth() auth: AuthContext, @Body() dto: DeleteWebAuthnDto): Promise<TwoFactorWebAuthnResponseDto> {
    return this.twoFactor.deleteWebAuthn(auth, dto);
  }

  @Delete('two-factor/webauthn/all')
  @HttpCode(204)
  deleteWebAuthnAll(@Auth() auth: AuthContext, @Body() dto: UserVerificationDto): Promise<void> {
    return this.twoFactor.deleteWebAuthnAll(auth, dto);
  }

  @Post('two-factor/get-email')
  @HttpCode(200)
  getEmail(@Auth() auth: AuthContext, @Body() dto: SecretVerificationDto, @Headers(CLIENT_VERSION) version?: string): Promise<TwoFactorEmailResponseDto> {
    return this.twoFactor.getEmail(auth, dto, readsNestedTwoFactorBodies(version));
  }

  @Post('two-factor/send-email')
  @HttpCode(200)
  sendEmailSetup(@Auth() auth: AuthContext, @Body() dto: EmailSetupDto): Promise<void> {
    return this.twoFactor.sendEmailSetup(auth, dto);
  }

  @Put('two-factor/email')
  putEmail(@Auth() auth: AuthContext, @Body() dto: UpdateEmailDto, @Headers(CLIENT_VERSION) version?: string): Promise<TwoFactorEmailResponseDto> {
    return this.twoFactor.putEmail(auth, dto, readsNestedTwoFactorBodies(version));
  }

  @Post('two-factor/email')
  @HttpCode(200)
  postEmail(@Auth() auth: AuthContext, @Body() dto: UpdateEmailDto, @Headers(CLIENT_VERSION) version?: string): Promise<TwoFactorEmailResponseDto> {
    return this.twoFactor.putEmail(auth, dto, readsNestedTwoFactorBodies(version));
  }

  @Delete('two-factor/email')
  @HttpCode(204)
  deleteEmail(@Auth() auth: AuthContext, @Body() dto: UserVerificationDto): Promise<void> {
    return this.twoFactor.deleteEmail(auth, dto);
  }

  @Post('accounts/request-otp')
  @HttpCode(200)
  requestOtp(@Auth() auth: AuthContext): Promise<void> {
    return this.twoFactor.requestOtp(auth);
  }

  @Post('accounts/verify-otp')
  @HttpCode(200)
  verifyOtp(@Auth() auth: AuthContext, @Body() dto: VerifyOtpDto): Promise<void> {
    return this.twoFactor.verifyOtp(auth, dto.otp);
  }

  /** Organizations have no two-step providers here (organization Duo is not offered). */
  @Get('organizations/:id/two-factor')
  organizationProviders(@Param() _params: OrganizationIdParamDto): ListResponseDto<TwoFactorProviderResponseDto> {
    return { data: [], object: 'list', continuationToken: null };
  }

  @Post(['two-factor/get-duo', 'two-factor/duo', 'organizations/:id/two-factor/get-duo', 'organizations/:id/two-factor/duo'])
  @HttpCode(200)
  duoPost(): never {
    return this.twoFactor.unsupported('Duo');
  }

  @Put(['two-factor/duo', 'organizations/:id/two-factor/duo'])
  duoPut(): never {
    return this.twoFactor.unsupported('Duo');
  }

  @Delete(['two-factor/duo', 'organizations/:id/two-factor/duo'])
  duoDelete(): never {
    return this.twoFactor.unsupported('Duo');
  }

  @Post(['two-factor/get-yubikey', 'two-factor/yubikey'])
  @HttpCode(200)
  yubiKeyPost(): never {
    return this.twoFactor.unsupported('YubiKey');
  }

  @Put('two-factor/yubikey')
  yubiKeyPut(): never {
    return this.twoFactor.unsupported('YubiKey');
  }

  @Delete('two-factor/yubikey')
  yubiKeyDelete(): never {
    return this.twoFactor.unsupported('YubiKey');
  }
}

/**
 * The two routes anyone may call: the recovery code form, and login codes by mail during a login. Both check a
 * master password without a session, so they count against the login limits as well as the per-address limit.
 */
@Controller('api')
export class TwoFactorPublicController {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig, private readonly twoFactor: TwoFactorService) {}

  @UseGuards(UnauthenticatedRateLimitGuard)
  @Post('two-factor/recover')
  @HttpCode(200)
  recover(@Body() dto: TwoFactorRecoveryDto, @Req() req: Request): Promise<void> {
    return this.twoFactor.recover(dto, clientIp(req, this.config));
  }

  @UseGuards(UnauthenticatedRateLimitGuard)
  @Post('two-factor/send-email-login')
  @HttpCode(200)
  sendEmailLogin(@Body() dto: EmailLoginDto, @Req() req: Request): Promise<void> {
    return this.twoFactor.sendEmailLogin(dto, clientIp(req, this.config));
  }
}
