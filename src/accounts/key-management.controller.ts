import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { AccessTokenGuard } from '../common/auth/access-token.guard';
import { AuthContext } from '../common/auth/auth-context';
import { Auth } from '../common/auth/auth.decorator';
import { ChangeKdfDto, RotateUserAccountKeysDto } from './dto/key-management-request.dto';
import { KdfService } from './kdf.service';
import { KeyRotationService } from './key-rotation.service';

/** Settings → Security → Keys of the web vault: KDF change and user key rotation. */
@Controller('api')
@UseGuards(AccessTokenGuard)
export class KeyManagementController {
  constructor(private readonly kdf: KdfService, private readonly rotation: KeyRotationService) {}

  @Post('accounts/kdf')
  @HttpCode(200)
  changeKdf(@Auth() auth: AuthContext, @Body() dto: ChangeKdfDto): Promise<void> {
    return this.kdf.changeKdf(auth, dto);
  }

  @Post('accounts/key-management/rotate-user-account-keys')
  @HttpCode(200)
  rotateUserAccountKeys(@Auth() auth: AuthContext, @Body() dto: RotateUserAccountKeysDto): Promise<void> {
    return this.rotation.rotate(auth, dto);
  }
}
