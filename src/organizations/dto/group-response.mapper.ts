import { CollectionGroupEntity, GroupEntity } from '../../db/entities';
import { GroupDetailsResponseDto, GroupResponseDto } from './group-response.dto';

export function toGroupResponse(group: GroupEntity): GroupResponseDto {
  return { id: group.id, organizationId: group.organizationId, name: group.name, externalId: group.externalId, object: 'group' };
}

export function toGroupDetails(group: GroupEntity, access: CollectionGroupEntity[]): GroupDetailsResponseDto {
  return {
    ...toGroupResponse(group),
    collections: access.map((a) => ({ id: a.collectionId, readOnly: a.readOnly, hidePasswords: a.hidePasswords, manage: a.manage })),
    object: 'groupDetails',
  };
}
