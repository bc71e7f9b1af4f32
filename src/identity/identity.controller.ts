import { Body, Controller, HttpCode, Inject, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AccountsQueryService } from '../accounts/accounts-query.service';
import { AccountsService } from '../accounts/accounts.service';
import { clientIp } from '../common/http/client-ip';
import { UnauthenticatedRateLimitGuard } from '../common/http/unauthenticated-rate-limit.guard';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.tokens';
import { UnitOfWork } from '../db/unit-of-work';
import { PreloginResponseDto } from './dto/prelogin-response.dto';
import { PreloginDto, RegisterDto, SendVerificationEmailDto, VerificationEmailClickedDto } from '../accounts/dto/register.dto';
import { RegisterResponseDto, toRegisterResponse } from './dto/register-response.dto';
import { LoginTokenResponseDto, TokenResponseDto } from './dto/token-response.dto';
import { TokenGrantService } from './token-grant.service';
import { SendAccessTokenResponseDto } from '../sends/send-access.service';
import { preloginResponse } from './token-response';

/**
 * /identity: token grants, prelogin and registration (no authentication). Prelogin and registration count
 * against UNAUTHENTICATED_RATELIMIT_* per address; the grants have their own limits (TokenGrantService).
 */
@Controller()
export class IdentityController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly grants: TokenGrantService,
    private readonly accounts: AccountsService,
    private readonly accountQueries: AccountsQueryService,
    private readonly uow: UnitOfWork,
  ) {}

  @Post('identity/connect/token')
  @HttpCode(200)
  token(@Body() form: unknown, @Req() req: Request): Promise<LoginTokenResponseDto | TokenResponseDto | SendAccessTokenResponseDto> {
    return this.grants.grant(form, clientIp(req, this.config));
  }

  @UseGuards(UnauthenticatedRateLimitGuard)
  @Post(['identity/accounts/prelogin/password', 'identity/accounts/prelogin', 'api/accounts/prelogin'])
  @HttpCode(200)
  async prelogin(@Body() dto: PreloginDto): Promise<PreloginResponseDto> {
    const user = await this.uow.read((db) => this.accountQueries.findByEmail(db, dto.email));
    return preloginResponse(user);
  }

  /** The verification token as a JSON string, or 204 when it went out by mail (SIGNUPS_VERIFY with mail). */
  @UseGuards(UnauthenticatedRateLimitGuard)
  @Post('identity/accounts/register/send-verification-email')
  @HttpCode(200)
  async sendVerificationEmail(@Body() dto: SendVerificationEmailDto, @Res({ passthrough: true }) res: Response): Promise<string | undefined> {
    const token = await this.accounts.sendVerificationEmail(dto.email, dto.name);
    if (token === null) {
      res.status(204);
      return undefined;
    }
    return JSON.stringify(token);
  }

  @UseGuards(UnauthenticatedRateLimitGuard)
  @Post('identity/accounts/register/verification-email-clicked')
  @HttpCode(200)
  verificationEmailClicked(@Body() dto: VerificationEmailClickedDto): Promise<void> {
    return this.accounts.verificationEmailClicked(dto.email, dto.emailVerificationToken);
  }

  @UseGuards(UnauthenticatedRateLimitGuard)
  @Post('identity/accounts/register/finish')
  @HttpCode(200)
  async finish(@Body() dto: RegisterDto): Promise<RegisterResponseDto> {
    await this.accounts.register(dto, 'finish');
    return toRegisterResponse();
  }

  @UseGuards(UnauthenticatedRateLimitGuard)
  @Post(['identity/accounts/register', 'api/accounts/register'])
  @HttpCode(200)
  async register(@Body() dto: RegisterDto): Promise<RegisterResponseDto> {
    await this.accounts.register(dto, 'legacy');
    return toRegisterResponse();
  }
}
