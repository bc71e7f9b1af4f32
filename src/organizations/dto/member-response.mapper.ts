import { toApiDate } from '../../common/time/clock';
import { CollectionMemberEntity } from '../../db/entities';
import { MemberRow } from '../members.repository';
import { MemberDetailsResponseDto, MemberMiniDetailsResponseDto } from './member-response.dto';
import { permissionsOf } from './organization-response.mapper';

/**
 * `groups`: the member's group ids (empty unless the request asked for them with includeGroups).
 * `twoFactorEnabled`: the linked user has two-step login (TwoFactorStatus).
 */
export function toMemberDetails(
  row: MemberRow, access: CollectionMemberEntity[], object: MemberDetailsResponseDto['object'], groups: string[] = [], twoFactorEnabled = false,
): MemberDetailsResponseDto {
  const { membership, user } = row;
  return {
    id: membership.id,
    userId: membership.userId,
    type: membership.type,
    status: membership.status,
    externalId: membership.externalId,
    accessSecretsManager: false,
    accessPam: false,
    ...(membership.permissions ? { permissions: permissionsOf(membership.permissions) } : {}),
    resetPasswordEnrolled: membership.resetPasswordKey !== null,
    usesKeyConnector: false,
    hasMasterPassword: true,
    name: user?.name ?? null,
    email: user?.email ?? membership.email ?? '',
    avatarColor: user?.avatarColor ?? null,
    twoFactorEnabled,
    ssoBound: false,
    claimedByOrganization: false,
    collections: access.map((a) => ({ id: a.collectionId, readOnly: a.readOnly, hidePasswords: a.hidePasswords, manage: a.manage })),
    groups,
    revocationReason: null,
    creationDate: toApiDate(membership.creationDate),
    object,
  };
}

export function toMemberMiniDetails(row: MemberRow): MemberMiniDetailsResponseDto {
  return {
    id: row.membership.id, userId: row.membership.userId, type: row.membership.type, status: row.membership.status,
    name: row.user?.name ?? null, email: row.user?.email ?? row.membership.email ?? '', object: 'organizationUserUserMiniDetails',
  };
}
