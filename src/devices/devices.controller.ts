import { Controller, Delete, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { AccessTokenGuard } from '../common/auth/access-token.guard';
import { Auth } from '../common/auth/auth.decorator';
import { AuthContext } from '../common/auth/auth-context';
import { IdParamDto } from '../common/validation/id-param.dto';
import { DevicesService } from './devices.service';

@Controller('api/devices')
@UseGuards(AccessTokenGuard)
export class DevicesController {
  constructor(private readonly devices: DevicesService) {}

  @Get()
  list(@Auth() auth: AuthContext): Promise<Record<string, unknown>> {
    return this.devices.list(auth);
  }

  @Get('identifier/:identifier')
  byIdentifier(@Auth() auth: AuthContext, @Param('identifier') identifier: string): Promise<Record<string, unknown>> {
    return this.devices.getByIdentifier(auth, identifier);
  }

  @Post(':id/deactivate')
  @HttpCode(200)
  deactivate(@Auth() auth: AuthContext, @Param() { id }: IdParamDto): Promise<void> {
    return this.devices.deactivate(auth, id);
  }

  @Delete(':id')
  @HttpCode(200)
  remove(@Auth() auth: AuthContext, @Param() { id }: IdParamDto): Promise<void> {
    return this.devices.deactivate(auth, id);
  }
}
