import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { AccessTokenGuard } from '../common/auth/access-token.guard';
import { AuthContext } from '../common/auth/auth-context';
import { Auth } from '../common/auth/auth.decorator';
import { SyncQueryDto } from './dto/sync-query.dto';
import { SyncResponseDto } from './dto/sync-response.dto';
import { SyncService } from './sync.service';

@Controller('api/sync')
@UseGuards(AccessTokenGuard)
export class SyncController {
  constructor(private readonly syncs: SyncService) {}

  @Get()
  sync(@Auth() auth: AuthContext, @Query() query: SyncQueryDto): Promise<SyncResponseDto> {
    return this.syncs.sync(auth, query.excludeDomains === true);
  }
}
