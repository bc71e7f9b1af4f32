import { Controller, Get, UseGuards } from '@nestjs/common';
import { AccessTokenGuard } from '../common/auth/access-token.guard';
import { ListResponseDto } from '../common/http/list-response';

/**
 * /api/emergency-access: the lists the web vault's Emergency access page loads. Emergency access itself (invite,
 * accept, confirm, initiate, view, takeover) is not offered yet, so no account has trusted contacts or grantors:
 * both lists are empty, and the page loads instead of failing.
 */
@Controller('api/emergency-access')
@UseGuards(AccessTokenGuard)
export class EmergencyAccessController {
  @Get('trusted')
  trusted(): ListResponseDto<never> {
    return { object: 'list', data: [], continuationToken: null };
  }

  @Get('granted')
  granted(): ListResponseDto<never> {
    return { object: 'list', data: [], continuationToken: null };
  }
}
