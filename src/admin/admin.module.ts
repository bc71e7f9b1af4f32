import { Inject, Module, OnModuleInit } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { getLogger } from '../common/logging/logger';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.tokens';
import { AdminController } from './admin.controller';
import { AdminDiagnosticsService } from './admin-diagnostics.service';
import { AdminLoginLimiter } from './admin-login-limiter';
import { AdminSessionService } from './admin-session.service';
import { isArgon2Phc } from './admin-token';
import { AdminUsersService } from './admin-users.service';
import { AdminRepository } from './admin.repository';

const log = getLogger('Admin');

/** The admin panel (/admin). */
@Module({
  imports: [AccountsModule],
  controllers: [AdminController],
  providers: [AdminSessionService, AdminLoginLimiter, AdminUsersService, AdminRepository, AdminDiagnosticsService],
})
export class AdminModule implements OnModuleInit {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  onModuleInit(): void {
    if (this.config.admin.disableToken) log.warn('admin.open: DISABLE_ADMIN_TOKEN=true, the admin panel needs no token; protect /admin at the proxy');
    else if (this.config.adminToken && !isArgon2Phc(this.config.adminToken)) log.warn('admin.plain_token: ADMIN_TOKEN is plain text; store an Argon2 PHC string instead (as `vaultwarden hash` makes)');
  }
}
