import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Put, Req, UseGuards } from '@nestjs/common';
import type { Request } from 'express';
import { ListResponseDto } from '../common/http/list-response';
import { AccessTokenGuard } from '../common/auth/access-token.guard';
import { Auth } from '../common/auth/auth.decorator';
import { AuthContext } from '../common/auth/auth-context';
import { clientIp } from '../common/http/client-ip';
import { IdParamDto } from '../common/validation/id-param.dto';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.tokens';
import { DevicesService } from './devices.service';
import { DeviceResponseDto } from './dto/device-response.dto';
import { PushTokenDto } from './dto/push-token.dto';

@Controller('api/devices')
export class DevicesController {
  constructor(private readonly devices: DevicesService, @Inject(APP_CONFIG) private readonly config: AppConfig) {}

  @Get()
  @UseGuards(AccessTokenGuard)
  list(@Auth() auth: AuthContext): Promise<ListResponseDto<DeviceResponseDto>> {
    return this.devices.list(auth);
  }

  @Get('identifier/:identifier')
  @UseGuards(AccessTokenGuard)
  byIdentifier(@Auth() auth: AuthContext, @Param('identifier') identifier: string): Promise<DeviceResponseDto> {
    return this.devices.getByIdentifier(auth, identifier);
  }

  /** Stores the app's push token and registers it with the relay. */
  @Put('identifier/:identifier/token')
  @HttpCode(200)
  @UseGuards(AccessTokenGuard)
  updateToken(@Auth() auth: AuthContext, @Param('identifier') identifier: string, @Body() dto: PushTokenDto): Promise<void> {
    return this.devices.updatePushToken(auth, identifier, dto.pushToken);
  }

  /** Deprecated alias of PUT. */
  @Post('identifier/:identifier/token')
  @HttpCode(200)
  @UseGuards(AccessTokenGuard)
  updateTokenPost(@Auth() auth: AuthContext, @Param('identifier') identifier: string, @Body() dto: PushTokenDto): Promise<void> {
    return this.devices.updatePushToken(auth, identifier, dto.pushToken);
  }

  /** No authentication: apps call it while signing out. Rate-limited per client IP; 200 even for unknown devices. */
  @Put('identifier/:identifier/clear-token')
  @HttpCode(200)
  clearToken(@Param('identifier') identifier: string, @Req() req: Request): Promise<void> {
    return this.devices.clearPushToken(identifier, clientIp(req, this.config));
  }

  /** Deprecated alias of PUT. */
  @Post('identifier/:identifier/clear-token')
  @HttpCode(200)
  clearTokenPost(@Param('identifier') identifier: string, @Req() req: Request): Promise<void> {
    return this.devices.clearPushToken(identifier, clientIp(req, this.config));
  }

  @Post(':id/deactivate')
  @HttpCode(200)
  @UseGuards(AccessTokenGuard)
  deactivate(@Auth() auth: AuthContext, @Param() { id }: IdParamDto): Promise<void> {
    return this.devices.deactivate(auth, id);
  }

  @Delete(':id')
  @HttpCode(200)
  @UseGuards(AccessTokenGuard)
  remove(@Auth() auth: AuthContext, @Param() { id }: IdParamDto): Promise<void> {
    return this.devices.deactivate(auth, id);
  }
}
