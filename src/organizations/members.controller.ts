import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query, UseGuards } from '@nestjs/common';
import { AccessTokenGuard } from '../common/auth/access-token.guard';
import { AuthContext } from '../common/auth/auth-context';
import { Auth } from '../common/auth/auth.decorator';
import { ListResponseDto } from '../common/http/list-response';
import { IdParamDto } from '../common/validation/id-param.dto';
import {
  MemberBulkConfirmRequestDto, MemberConfirmRequestDto, MemberIdsRequestDto, MemberInviteRequestDto, MemberParamDto, MemberUpdateRequestDto,
} from './dto/member-request.dto';
import { MemberBulkResponseDto, MemberDetailsResponseDto, MemberMiniDetailsResponseDto, MemberPublicKeyResponseDto } from './dto/member-response.dto';
import { MemberAcceptRequestDto } from './dto/member-accept-request.dto';
import { InvitationsService } from './invitations.service';
import { MembersService } from './members.service';

/** /api/organizations/{id}/users…: `{memberId}` is a membership id, never a user id. */
@Controller('api/organizations/:id/users')
@UseGuards(AccessTokenGuard)
export class MembersController {
  constructor(private readonly members: MembersService, private readonly invitations: InvitationsService) {}

  @Get()
  list(
    @Auth() auth: AuthContext, @Param() { id }: IdParamDto, @Query('includeCollections') includeCollections?: string, @Query('includeGroups') includeGroups?: string,
  ): Promise<ListResponseDto<MemberDetailsResponseDto>> {
    return this.members.list(auth, id, includeCollections === 'true', includeGroups === 'true');
  }

  @Get('mini-details')
  miniDetails(@Auth() auth: AuthContext, @Param() { id }: IdParamDto): Promise<ListResponseDto<MemberMiniDetailsResponseDto>> {
    return this.members.miniDetails(auth, id);
  }

  @Post('invite')
  @HttpCode(200)
  invite(@Auth() auth: AuthContext, @Param() { id }: IdParamDto, @Body() dto: MemberInviteRequestDto): Promise<void> {
    return this.members.invite(auth, id, dto);
  }

  @Post('public-keys')
  @HttpCode(200)
  publicKeys(@Auth() auth: AuthContext, @Param() { id }: IdParamDto, @Body() dto: MemberIdsRequestDto): Promise<ListResponseDto<MemberPublicKeyResponseDto>> {
    return this.members.publicKeys(auth, id, dto.ids);
  }

  @Post('confirm')
  @HttpCode(200)
  bulkConfirm(@Auth() auth: AuthContext, @Param() { id }: IdParamDto, @Body() dto: MemberBulkConfirmRequestDto): Promise<ListResponseDto<MemberBulkResponseDto>> {
    return this.members.bulkConfirm(auth, id, dto);
  }

  @Post('reinvite')
  @HttpCode(200)
  bulkReinvite(@Auth() auth: AuthContext, @Param() { id }: IdParamDto, @Body() dto: MemberIdsRequestDto): Promise<ListResponseDto<MemberBulkResponseDto>> {
    return this.members.bulkReinvite(auth, id, dto.ids);
  }

  @Delete()
  bulkRemove(@Auth() auth: AuthContext, @Param() { id }: IdParamDto, @Body() dto: MemberIdsRequestDto): Promise<ListResponseDto<MemberBulkResponseDto>> {
    return this.members.bulkRemove(auth, id, dto.ids);
  }

  @Post('remove')
  @HttpCode(200)
  bulkRemovePost(@Auth() auth: AuthContext, @Param() { id }: IdParamDto, @Body() dto: MemberIdsRequestDto): Promise<ListResponseDto<MemberBulkResponseDto>> {
    return this.members.bulkRemove(auth, id, dto.ids);
  }

  @Put('revoke')
  bulkRevoke(@Auth() auth: AuthContext, @Param() { id }: IdParamDto, @Body() dto: MemberIdsRequestDto): Promise<ListResponseDto<MemberBulkResponseDto>> {
    return this.members.bulkRevoke(auth, id, dto.ids);
  }

  @Patch('revoke')
  bulkRevokePatch(@Auth() auth: AuthContext, @Param() { id }: IdParamDto, @Body() dto: MemberIdsRequestDto): Promise<ListResponseDto<MemberBulkResponseDto>> {
    return this.members.bulkRevoke(auth, id, dto.ids);
  }

  @Put('restore')
  bulkRestore(@Auth() auth: AuthContext, @Param() { id }: IdParamDto, @Body() dto: MemberIdsRequestDto): Promise<ListResponseDto<MemberBulkResponseDto>> {
    return this.members.bulkRestore(auth, id, dto.ids);
  }

  @Patch('restore')
  bulkRestorePatch(@Auth() auth: AuthContext, @Param() { id }: IdParamDto, @Body() dto: MemberIdsRequestDto): Promise<ListResponseDto<MemberBulkResponseDto>> {
    return this.members.bulkRestore(auth, id, dto.ids);
  }

  @Get(':memberId')
  get(@Auth() auth: AuthContext, @Param() { id, memberId }: MemberParamDto, @Query('includeGroups') includeGroups?: string): Promise<MemberDetailsResponseDto> {
    return this.members.get(auth, id, memberId, includeGroups === 'true');
  }

  @Put(':memberId')
  update(@Auth() auth: AuthContext, @Param() { id, memberId }: MemberParamDto, @Body() dto: MemberUpdateRequestDto): Promise<void> {
    return this.members.update(auth, id, memberId, dto);
  }

  @Post(':memberId')
  @HttpCode(200)
  updatePost(@Auth() auth: AuthContext, @Param() { id, memberId }: MemberParamDto, @Body() dto: MemberUpdateRequestDto): Promise<void> {
    return this.members.update(auth, id, memberId, dto);
  }

  @Post(':memberId/reinvite')
  @HttpCode(200)
  reinvite(@Auth() auth: AuthContext, @Param() { id, memberId }: MemberParamDto): Promise<void> {
    return this.members.reinvite(auth, id, memberId);
  }

  /** The invited user accepts with the token of the invite link. */
  @Post(':memberId/accept')
  @HttpCode(200)
  accept(@Auth() auth: AuthContext, @Param() { id, memberId }: MemberParamDto, @Body() dto: MemberAcceptRequestDto): Promise<void> {
    return this.invitations.accept(auth, id, memberId, dto);
  }

  @Post(':memberId/confirm')
  @HttpCode(200)
  confirm(@Auth() auth: AuthContext, @Param() { id, memberId }: MemberParamDto, @Body() dto: MemberConfirmRequestDto): Promise<void> {
    return this.members.confirm(auth, id, memberId, dto.key);
  }

  @Delete(':memberId')
  remove(@Auth() auth: AuthContext, @Param() { id, memberId }: MemberParamDto): Promise<void> {
    return this.members.remove(auth, id, memberId);
  }

  @Post(':memberId/remove')
  @HttpCode(200)
  removePost(@Auth() auth: AuthContext, @Param() { id, memberId }: MemberParamDto): Promise<void> {
    return this.members.remove(auth, id, memberId);
  }

  @Put(':memberId/revoke')
  revoke(@Auth() auth: AuthContext, @Param() { id, memberId }: MemberParamDto): Promise<void> {
    return this.members.revoke(auth, id, memberId);
  }

  @Patch(':memberId/revoke')
  revokePatch(@Auth() auth: AuthContext, @Param() { id, memberId }: MemberParamDto): Promise<void> {
    return this.members.revoke(auth, id, memberId);
  }

  @Put(':memberId/restore')
  restore(@Auth() auth: AuthContext, @Param() { id, memberId }: MemberParamDto): Promise<void> {
    return this.members.restore(auth, id, memberId);
  }

  @Patch(':memberId/restore')
  restorePatch(@Auth() auth: AuthContext, @Param() { id, memberId }: MemberParamDto): Promise<void> {
    return this.members.restore(auth, id, memberId);
  }
}
