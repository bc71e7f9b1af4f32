import { Body, Controller, Get, Param, Put, UseGuards } from '@nestjs/common';
import { AccessTokenGuard } from '../common/auth/access-token.guard';
import { AuthContext } from '../common/auth/auth-context';
import { Auth } from '../common/auth/auth.decorator';
import { MemberParamDto } from './dto/member-request.dto';
import { ResetPasswordDetailsResponseDto, ResetPasswordEnrollmentRequestDto, UserParamDto } from './dto/policy.dto';
import { AccountRecoveryService } from './account-recovery.service';

/** Account recovery routes under /api/organizations/{id}/users (two path segments: no clash with the member routes). */
@Controller('api/organizations/:id/users')
@UseGuards(AccessTokenGuard)
export class AccountRecoveryController {
  constructor(private readonly recovery: AccountRecoveryService) {}

  /** `{userId}` is the caller's user id (bitwarden/server), not a member id. */
  @Put(':userId/reset-password-enrollment')
  enroll(@Auth() auth: AuthContext, @Param() { id, userId }: UserParamDto, @Body() dto: ResetPasswordEnrollmentRequestDto): Promise<void> {
    return this.recovery.enroll(auth, id, userId, dto);
  }

  @Get(':memberId/reset-password-details')
  details(@Auth() auth: AuthContext, @Param() { id, memberId }: MemberParamDto): Promise<ResetPasswordDetailsResponseDto> {
    return this.recovery.details(auth, id, memberId);
  }
}
