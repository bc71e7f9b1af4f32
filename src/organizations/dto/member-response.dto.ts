import { PermissionsDto } from './organization-response.dto';

export interface CollectionSelectionResponseDto { id: string; readOnly: boolean; hidePasswords: boolean; manage: boolean }

/** `organizationUserUserDetails` (member lists). `permissions` only when stored. */
export interface MemberDetailsResponseDto {
  id: string;
  userId: string | null;
  type: number;
  status: number;
  externalId: string | null;
  accessSecretsManager: boolean;
  accessPam: boolean;
  permissions?: PermissionsDto;
  resetPasswordEnrolled: boolean;
  usesKeyConnector: boolean;
  hasMasterPassword: boolean;
  name: string | null;
  email: string;
  avatarColor: string | null;
  twoFactorEnabled: boolean;
  ssoBound: boolean;
  claimedByOrganization: boolean;
  collections: CollectionSelectionResponseDto[];
  groups: string[];
  revocationReason: null;
  creationDate: string;
  object: 'organizationUserUserDetails' | 'organizationUserDetails';
}

export interface MemberMiniDetailsResponseDto {
  id: string;
  userId: string | null;
  type: number;
  status: number;
  name: string | null;
  email: string;
  object: 'organizationUserUserMiniDetails';
}

export interface MemberPublicKeyResponseDto { id: string; userId: string; key: string | null; object: 'organizationUserPublicKeyResponseModel' }

/** One entry of a bulk member answer: `error` is empty on success. */
export interface MemberBulkResponseDto { id: string; error: string; object: 'OrganizationBulkConfirmResponseModel' }
