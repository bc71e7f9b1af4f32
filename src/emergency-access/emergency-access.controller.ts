import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, UseGuards } from '@nestjs/common';
import { AccessTokenGuard } from '../common/auth/access-token.guard';
import { AuthContext } from '../common/auth/auth-context';
import { Auth } from '../common/auth/auth.decorator';
import { AttachmentResponseDto } from '../attachments/dto/attachment-response.dto';
import { ListResponseDto } from '../common/http/list-response';
import { IdParamDto } from '../common/validation/id-param.dto';
import { PolicyResponseDto } from '../organizations/dto/organization-response.dto';
import {
  EmergencyAccessAcceptRequestDto, EmergencyAccessAttachmentParamsDto, EmergencyAccessConfirmRequestDto, EmergencyAccessInviteRequestDto, EmergencyAccessPasswordRequestDto, EmergencyAccessUpdateRequestDto,
} from './dto/emergency-access-request.dto';
import {
  EmergencyAccessGranteeDetailsResponseDto, EmergencyAccessGrantorDetailsResponseDto, EmergencyAccessResponseDto, EmergencyAccessTakeoverResponseDto,
  EmergencyAccessViewResponseDto,
} from './dto/emergency-access-response.dto';
import { EmergencyAccessService } from './emergency-access.service';

/**
 * /api/emergency-access (bitwarden/server EmergencyAccessController, Vaultwarden emergency_access.rs). The literal
 * routes (trusted, granted, invite) come before `:id`.
 */
@Controller('api/emergency-access')
@UseGuards(AccessTokenGuard)
export class EmergencyAccessController {
  constructor(private readonly emergencyAccess: EmergencyAccessService) {}

  @Get('trusted')
  trusted(@Auth() auth: AuthContext): Promise<ListResponseDto<EmergencyAccessGranteeDetailsResponseDto>> {
    return this.emergencyAccess.trusted(auth);
  }

  @Get('granted')
  granted(@Auth() auth: AuthContext): Promise<ListResponseDto<EmergencyAccessGrantorDetailsResponseDto>> {
    return this.emergencyAccess.granted(auth);
  }

  @Post('invite')
  @HttpCode(200)
  invite(@Auth() auth: AuthContext, @Body() dto: EmergencyAccessInviteRequestDto): Promise<void> {
    return this.emergencyAccess.invite(auth, dto);
  }

  @Get(':id')
  get(@Auth() auth: AuthContext, @Param() { id }: IdParamDto): Promise<EmergencyAccessGranteeDetailsResponseDto> {
    return this.emergencyAccess.get(auth, id);
  }

  @Put(':id')
  put(@Auth() auth: AuthContext, @Param() { id }: IdParamDto, @Body() dto: EmergencyAccessUpdateRequestDto): Promise<EmergencyAccessResponseDto> {
    return this.emergencyAccess.update(auth, id, dto);
  }

  @Post(':id')
  @HttpCode(200)
  post(@Auth() auth: AuthContext, @Param() { id }: IdParamDto, @Body() dto: EmergencyAccessUpdateRequestDto): Promise<EmergencyAccessResponseDto> {
    return this.emergencyAccess.update(auth, id, dto);
  }

  @Delete(':id')
  delete(@Auth() auth: AuthContext, @Param() { id }: IdParamDto): Promise<void> {
    return this.emergencyAccess.delete(auth, id);
  }

  @Post(':id/delete')
  @HttpCode(200)
  postDelete(@Auth() auth: AuthContext, @Param() { id }: IdParamDto): Promise<void> {
    return this.emergencyAccess.delete(auth, id);
  }

  @Post(':id/reinvite')
  @HttpCode(200)
  reinvite(@Auth() auth: AuthContext, @Param() { id }: IdParamDto): Promise<void> {
    return this.emergencyAccess.reinvite(auth, id);
  }

  @Post(':id/accept')
  @HttpCode(200)
  accept(@Auth() auth: AuthContext, @Param() { id }: IdParamDto, @Body() dto: EmergencyAccessAcceptRequestDto): Promise<void> {
    return this.emergencyAccess.accept(auth, id, dto);
  }

  @Post(':id/confirm')
  @HttpCode(200)
  confirm(@Auth() auth: AuthContext, @Param() { id }: IdParamDto, @Body() dto: EmergencyAccessConfirmRequestDto): Promise<EmergencyAccessResponseDto> {
    return this.emergencyAccess.confirm(auth, id, dto);
  }

  @Post(':id/initiate')
  @HttpCode(200)
  initiate(@Auth() auth: AuthContext, @Param() { id }: IdParamDto): Promise<EmergencyAccessResponseDto> {
    return this.emergencyAccess.initiate(auth, id);
  }

  @Post(':id/approve')
  @HttpCode(200)
  approve(@Auth() auth: AuthContext, @Param() { id }: IdParamDto): Promise<EmergencyAccessResponseDto> {
    return this.emergencyAccess.approve(auth, id);
  }

  @Post(':id/reject')
  @HttpCode(200)
  reject(@Auth() auth: AuthContext, @Param() { id }: IdParamDto): Promise<EmergencyAccessResponseDto> {
    return this.emergencyAccess.reject(auth, id);
  }

  @Post(':id/view')
  @HttpCode(200)
  view(@Auth() auth: AuthContext, @Param() { id }: IdParamDto): Promise<EmergencyAccessViewResponseDto> {
    return this.emergencyAccess.view(auth, id);
  }

  /** The official GetAttachmentData: one attachment of the grantor's own cipher, with a fresh download link. */
  @Get(':id/:cipherId/attachment/:attachmentId')
  attachment(@Auth() auth: AuthContext, @Param() { id, cipherId, attachmentId }: EmergencyAccessAttachmentParamsDto): Promise<AttachmentResponseDto> {
    return this.emergencyAccess.attachment(auth, id, cipherId, attachmentId);
  }

  @Post(':id/takeover')
  @HttpCode(200)
  takeover(@Auth() auth: AuthContext, @Param() { id }: IdParamDto): Promise<EmergencyAccessTakeoverResponseDto> {
    return this.emergencyAccess.takeover(auth, id);
  }

  @Post(':id/password')
  @HttpCode(200)
  password(@Auth() auth: AuthContext, @Param() { id }: IdParamDto, @Body() dto: EmergencyAccessPasswordRequestDto): Promise<void> {
    return this.emergencyAccess.password(auth, id, dto);
  }

  @Get(':id/policies')
  policies(@Auth() auth: AuthContext, @Param() { id }: IdParamDto): Promise<ListResponseDto<PolicyResponseDto>> {
    return this.emergencyAccess.policies(auth, id);
  }
}
