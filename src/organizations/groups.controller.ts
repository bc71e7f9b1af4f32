import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, UseGuards } from '@nestjs/common';
import { AccessTokenGuard } from '../common/auth/access-token.guard';
import { AuthContext } from '../common/auth/auth-context';
import { Auth } from '../common/auth/auth.decorator';
import { ListResponseDto } from '../common/http/list-response';
import { IdParamDto } from '../common/validation/id-param.dto';
import { GroupIdsRequestDto, GroupMemberParamDto, GroupParamDto, GroupRequestDto, MemberGroupsRequestDto, MemberIdArrayPipe } from './dto/group-request.dto';
import { GroupDetailsResponseDto, GroupResponseDto } from './dto/group-response.dto';
import { MemberParamDto } from './dto/member-request.dto';
import { GroupsService } from './groups.service';

/**
 * /api/organizations/{id}/groups… (bitwarden/server GroupsController, with Vaultwarden's extra routes), and a
 * member's groups at /api/organizations/{id}/users/{memberId}/groups. `{memberId}` is a membership id.
 */
@Controller('api/organizations/:id')
@UseGuards(AccessTokenGuard)
export class GroupsController {
  constructor(private readonly groups: GroupsService) {}

  @Get('groups')
  list(@Auth() auth: AuthContext, @Param() { id }: IdParamDto): Promise<ListResponseDto<GroupDetailsResponseDto>> {
    return this.groups.list(auth, id);
  }

  @Get('groups/details')
  listDetails(@Auth() auth: AuthContext, @Param() { id }: IdParamDto): Promise<ListResponseDto<GroupDetailsResponseDto>> {
    return this.groups.listDetails(auth, id);
  }

  @Post('groups')
  @HttpCode(200)
  create(@Auth() auth: AuthContext, @Param() { id }: IdParamDto, @Body() dto: GroupRequestDto): Promise<GroupResponseDto> {
    return this.groups.create(auth, id, dto);
  }

  @Delete('groups')
  bulkDelete(@Auth() auth: AuthContext, @Param() { id }: IdParamDto, @Body() dto: GroupIdsRequestDto): Promise<void> {
    return this.groups.delete(auth, id, dto.ids);
  }

  @Post('groups/delete')
  @HttpCode(200)
  bulkDeletePost(@Auth() auth: AuthContext, @Param() { id }: IdParamDto, @Body() dto: GroupIdsRequestDto): Promise<void> {
    return this.groups.delete(auth, id, dto.ids);
  }

  @Get('groups/:groupId')
  get(@Auth() auth: AuthContext, @Param() { id, groupId }: GroupParamDto): Promise<GroupResponseDto> {
    return this.groups.get(auth, id, groupId);
  }

  @Get('groups/:groupId/details')
  details(@Auth() auth: AuthContext, @Param() { id, groupId }: GroupParamDto): Promise<GroupDetailsResponseDto> {
    return this.groups.details(auth, id, groupId);
  }

  @Put('groups/:groupId')
  update(@Auth() auth: AuthContext, @Param() { id, groupId }: GroupParamDto, @Body() dto: GroupRequestDto): Promise<GroupResponseDto> {
    return this.groups.update(auth, id, groupId, dto);
  }

  @Post('groups/:groupId')
  @HttpCode(200)
  updatePost(@Auth() auth: AuthContext, @Param() { id, groupId }: GroupParamDto, @Body() dto: GroupRequestDto): Promise<GroupResponseDto> {
    return this.groups.update(auth, id, groupId, dto);
  }

  @Delete('groups/:groupId')
  delete(@Auth() auth: AuthContext, @Param() { id, groupId }: GroupParamDto): Promise<void> {
    return this.groups.delete(auth, id, [groupId]);
  }

  @Post('groups/:groupId/delete')
  @HttpCode(200)
  deletePost(@Auth() auth: AuthContext, @Param() { id, groupId }: GroupParamDto): Promise<void> {
    return this.groups.delete(auth, id, [groupId]);
  }

  /** The group's member ids, a bare array. */
  @Get('groups/:groupId/users')
  users(@Auth() auth: AuthContext, @Param() { id, groupId }: GroupParamDto): Promise<string[]> {
    return this.groups.users(auth, id, groupId);
  }

  /** Body: a bare array of member ids (Vaultwarden). */
  @Put('groups/:groupId/users')
  setUsers(@Auth() auth: AuthContext, @Param() { id, groupId }: GroupParamDto, @Body(MemberIdArrayPipe) memberIds: string[]): Promise<void> {
    return this.groups.setUsers(auth, id, groupId, memberIds);
  }

  @Delete('groups/:groupId/user/:memberId')
  removeUser(@Auth() auth: AuthContext, @Param() { id, groupId, memberId }: GroupMemberParamDto): Promise<void> {
    return this.groups.removeUser(auth, id, groupId, memberId);
  }

  /** Vaultwarden's spelling of the route above. */
  @Delete('groups/:groupId/users/:memberId')
  removeUserPlural(@Auth() auth: AuthContext, @Param() { id, groupId, memberId }: GroupMemberParamDto): Promise<void> {
    return this.groups.removeUser(auth, id, groupId, memberId);
  }

  @Post('groups/:groupId/delete-user/:memberId')
  @HttpCode(200)
  removeUserPost(@Auth() auth: AuthContext, @Param() { id, groupId, memberId }: GroupMemberParamDto): Promise<void> {
    return this.groups.removeUser(auth, id, groupId, memberId);
  }

  /** The member's group ids, a bare array. */
  @Get('users/:memberId/groups')
  groupsOfMember(@Auth() auth: AuthContext, @Param() { id, memberId }: MemberParamDto): Promise<string[]> {
    return this.groups.groupsOfMember(auth, id, memberId);
  }

  @Put('users/:memberId/groups')
  setGroupsOfMember(@Auth() auth: AuthContext, @Param() { id, memberId }: MemberParamDto, @Body() dto: MemberGroupsRequestDto): Promise<void> {
    return this.groups.setGroupsOfMember(auth, id, memberId, dto.groupIds);
  }

  @Post('users/:memberId/groups')
  @HttpCode(200)
  setGroupsOfMemberPost(@Auth() auth: AuthContext, @Param() { id, memberId }: MemberParamDto, @Body() dto: MemberGroupsRequestDto): Promise<void> {
    return this.groups.setGroupsOfMember(auth, id, memberId, dto.groupIds);
  }
}
