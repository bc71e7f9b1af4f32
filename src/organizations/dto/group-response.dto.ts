import { CollectionSelectionResponseDto } from './member-response.dto';

/** `group` (official GroupResponseModel). */
export interface GroupResponseDto {
  id: string;
  organizationId: string;
  name: string;
  externalId: string | null;
  object: 'group';
}

/** `groupDetails`: the group and its collection access (id = collection id). */
export interface GroupDetailsResponseDto extends Omit<GroupResponseDto, 'object'> {
  collections: CollectionSelectionResponseDto[];
  object: 'groupDetails';
}
