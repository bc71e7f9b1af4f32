import { Global, Module } from '@nestjs/common';
import { AccessTokenGuard } from './access-token.guard';
import { SessionService } from './session.service';
import { SigningKeysService } from './signing-keys.service';
import { TokenService } from './token.service';

@Global()
@Module({
  providers: [SigningKeysService, TokenService, SessionService, AccessTokenGuard],
  exports: [TokenService, SessionService, AccessTokenGuard],
})
export class AuthModule {}
