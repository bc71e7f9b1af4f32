import { Body, Controller, Get, Headers, HttpCode, Inject, Param, Post, Put, Query, Req, UseGuards } from '@nestjs/common';
import type { Request } from 'express';
import { ListResponseDto } from '../common/http/list-response';
import { AccessTokenGuard } from '../common/auth/access-token.guard';
import { Auth } from '../common/auth/auth.decorator';
import { AuthContext } from '../common/auth/auth-context';
import { clientIp } from '../common/http/client-ip';
import { IdParamDto } from '../common/validation/id-param.dto';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.tokens';
import { AuthRequestsService } from './auth-requests.service';
import { AnswerAuthRequestDto, CreateAuthRequestDto } from './dto/auth-request.dto';
import { AuthRequestResponseDto } from './dto/auth-request-response.dto';

@Controller('api/auth-requests')
export class AuthRequestsController {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig, private readonly requests: AuthRequestsService) {}

  /** Unauthenticated: the new device asks. */
  @Post()
  @HttpCode(200)
  create(@Body() dto: CreateAuthRequestDto, @Headers('device-type') deviceType: string | undefined, @Req() req: Request): Promise<AuthRequestResponseDto> {
    return this.requests.create(dto, this.deviceType(deviceType), clientIp(req, this.config));
  }

  /**
   * Authenticated (bitwarden/server): the new device of a logged-in member asks its organizations' admins
   * (type 2, admin approval; the anonymous route above refuses that type).
   */
  @Post('admin-request')
  @HttpCode(200)
  @UseGuards(AccessTokenGuard)
  createAdminRequest(
    @Auth() auth: AuthContext, @Body() dto: CreateAuthRequestDto, @Headers('device-type') deviceType: string | undefined, @Req() req: Request,
  ): Promise<AuthRequestResponseDto> {
    return this.requests.createAdminRequest(auth, dto, this.deviceType(deviceType), clientIp(req, this.config));
  }

  @Get()
  @UseGuards(AccessTokenGuard)
  list(@Auth() auth: AuthContext): Promise<ListResponseDto<AuthRequestResponseDto>> {
    return this.requests.listPending(auth);
  }

  /** The web vault's device list asks for the pending ones by this path (the same list). */
  @Get('pending')
  @UseGuards(AccessTokenGuard)
  listPending(@Auth() auth: AuthContext): Promise<ListResponseDto<AuthRequestResponseDto>> {
    return this.requests.listPending(auth);
  }

  @Get(':id')
  @UseGuards(AccessTokenGuard)
  get(@Auth() auth: AuthContext, @Param() { id }: IdParamDto): Promise<AuthRequestResponseDto> {
    return this.requests.get(auth, id);
  }

  /** Unauthenticated: the new device polls with its access code. */
  @Get(':id/response')
  response(@Param() { id }: IdParamDto, @Query('code') code: string | undefined): Promise<AuthRequestResponseDto> {
    return this.requests.response(id, code);
  }

  @Put(':id')
  @UseGuards(AccessTokenGuard)
  answer(@Auth() auth: AuthContext, @Param() { id }: IdParamDto, @Body() dto: AnswerAuthRequestDto): Promise<AuthRequestResponseDto> {
    return this.requests.answer(auth, id, dto);
  }

  /** The Device-Type header as a number; 14 (UnknownBrowser) when absent or out of range. */
  private deviceType(header: string | undefined): number {
    const type = Number(header ?? 14);
    return Number.isInteger(type) && type >= 0 && type <= 100 ? type : 14;
  }
}
