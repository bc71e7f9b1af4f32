import { Body, Controller, Get, HttpCode, Post, Put, UseGuards } from '@nestjs/common';
import { AccessTokenGuard } from '../common/auth/access-token.guard';
import { AuthContext } from '../common/auth/auth-context';
import { Auth } from '../common/auth/auth.decorator';
import { DomainsRequestDto } from './dto/domains-request.dto';
import { DomainsResponseDto } from './dto/domains-response.dto';
import { SettingsService } from './settings.service';

@Controller('api/settings')
@UseGuards(AccessTokenGuard)
export class SettingsController {
  constructor(private readonly settings: SettingsService) {}

  @Get('domains')
  getDomains(@Auth() auth: AuthContext): Promise<DomainsResponseDto> {
    return this.settings.getDomains(auth);
  }

  @Put('domains')
  putDomains(@Auth() auth: AuthContext, @Body() dto: DomainsRequestDto): Promise<DomainsResponseDto> {
    return this.settings.updateDomains(auth, dto);
  }

  @Post('domains')
  @HttpCode(200)
  postDomains(@Auth() auth: AuthContext, @Body() dto: DomainsRequestDto): Promise<DomainsResponseDto> {
    return this.settings.updateDomains(auth, dto);
  }
}
