import { Controller, Get, Header, Inject } from '@nestjs/common';
import { Clock } from '../common/time/clock';
import { AppConfig } from './app-config';
import { APP_CONFIG } from './config.tokens';
import { ServerConfigResponseDto } from './dto/server-config-response.dto';
import { SERVER_VERSION, serverConfigResponse } from './server-info';

const JSON_TYPE = 'application/json; charset=utf-8';

/** Health, version and the client configuration document (no authentication). */
@Controller()
export class ConfigController {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig, private readonly clock: Clock) {}

  @Get('alive')
  @Header('Content-Type', JSON_TYPE)
  alive(): string {
    return JSON.stringify(this.clock.now().toISOString());
  }

  @Get('api/alive')
  @Header('Content-Type', JSON_TYPE)
  apiAlive(): string {
    return JSON.stringify(this.clock.now().toISOString());
  }

  @Get('api/now')
  @Header('Content-Type', JSON_TYPE)
  now(): string {
    return JSON.stringify(this.clock.now().toISOString());
  }

  @Get('api/version')
  @Header('Content-Type', JSON_TYPE)
  version(): string {
    return JSON.stringify(SERVER_VERSION);
  }

  @Get('api/config')
  clientConfig(): ServerConfigResponseDto {
    return serverConfigResponse(this.config);
  }
}
