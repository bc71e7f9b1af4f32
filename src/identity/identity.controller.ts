import { Body, Controller, HttpCode, Inject, Post, Req, UseGuards } from '@nestjs/common';
import type { Request } from 'express';
import { AccountsQueryService } from '../accounts/accounts-query.service';
import { AccountsService } from '../accounts/accounts.service';
import { clientIp } from '../common/http/client-ip';
import { UnauthenticatedRateLimitGuard } from '../common/http/unauthenticated-rate-limit.guard';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.tokens';
import { UnitOfWork } from '../db/unit-of-work';
import { PreloginResponseDto } from './dto/prelogin-response.dto';
import { PreloginDto, RegisterDto, SendVerificationEmailDto } from '../accounts/dto/register.dto';
import { RegisterResponseDto, toRegisterResponse } from './dto/register-response.dto';
import { LoginTokenResponseDto, TokenResponseDto } from './dto/token-response.dto';
import { TokenGrantService } from './token-grant.service';
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
  token(@Body() form: unknown, @Req() req: Request): Promise<LoginTokenResponseDto | TokenResponseDto> {
    return this.grants.grant(form, clientIp(req, this.config));
  }

  @UseGuards(UnauthenticatedRateLimitGuard)
  @Post(['identity/accounts/prelogin/password', 'identity/accounts/prelogin', 'api/accounts/prelogin'])
  @HttpCode(200)
  async prelogin(@Body() dto: PreloginDto): Promise<PreloginResponseDto> {
    const user = await this.uow.read((db) => this.accountQueries.findByEmail(db, dto.email));
    return preloginResponse(user);
  }

  /** Returns the verification token as a JSON string (no mail is configured). */
  @UseGuards(UnauthenticatedRateLimitGuard)
  @Post('identity/accounts/register/send-verification-email')
  @HttpCode(200)
  sendVerificationEmail(@Body() dto: SendVerificationEmailDto): string {
    return JSON.stringify(this.accounts.sendVerificationEmail(dto.email, dto.name));
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
