import { Global, Module } from '@nestjs/common';
import { PassportModule } from '@nestjs/passport';
import { AccessTokenGuard } from './access-token.guard';
import { JwtStrategy } from './jwt.strategy';
import { SessionService } from './session.service';
import { SigningKeysService } from './signing-keys.service';
import { TokenService } from './token.service';

@Global()
@Module({
  imports: [PassportModule],
  providers: [SigningKeysService, TokenService, SessionService, JwtStrategy, AccessTokenGuard],
  exports: [TokenService, SessionService, AccessTokenGuard],
})
export class AuthModule {}
