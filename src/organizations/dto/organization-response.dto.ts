/** Organization, membership, collection and policy shapes as the official clients read them (docs/organizations-plan.md §4, §5). */

/** The custom role's permissions (13 keys, always all present in profile entries). */
export interface PermissionsDto {
  accessEventLogs: boolean;
  accessImportExport: boolean;
  accessReports: boolean;
  createNewCollections: boolean;
  editAnyCollection: boolean;
  deleteAnyCollection: boolean;
  manageGroups: boolean;
  managePolicies: boolean;
  manageSso: boolean;
  manageUsers: boolean;
  manageResetPassword: boolean;
  manageScim: boolean;
  manageAccessRules: boolean;
}

/** Feature flags shared by `organization` and `profileOrganization`: a self-hosted organization has every plan feature it can serve. */
export interface OrganizationFlagsDto {
  usePolicies: boolean;
  useSso: boolean;
  useKeyConnector: boolean;
  useScim: boolean;
  useGroups: boolean;
  useDirectory: boolean;
  useEvents: boolean;
  useTotp: boolean;
  use2fa: boolean;
  useApi: boolean;
  useResetPassword: boolean;
  useSecretsManager: boolean;
  usePasswordManager: boolean;
  usersGetPremium: boolean;
  useCustomPermissions: boolean;
  useRiskInsights: boolean;
  useOrganizationDomains: boolean;
  useAdminSponsoredFamilies: boolean;
  useAutomaticUserConfirmation: boolean;
  useDisableSMAdsForUsers: boolean;
  usePhishingBlocker: boolean;
  useMyItems: boolean;
  useInviteLinks: boolean;
  usePam: boolean;
  selfHost: boolean;
  limitCollectionCreation: boolean;
  limitCollectionDeletion: boolean;
  limitItemDeletion: boolean;
  allowAdminAccessToAllCollectionItems: boolean;
}

/** `organization` (GET/POST/PUT /api/organizations…). */
export interface OrganizationResponseDto extends OrganizationFlagsDto {
  id: string;
  name: string;
  businessName: string;
  businessAddress1: null;
  businessAddress2: null;
  businessAddress3: null;
  businessCountry: null;
  businessTaxNumber: null;
  billingEmail: string;
  plan: null;
  secretsManagerPlan: null;
  planType: number;
  seats: null;
  maxAutoscaleSeats: null;
  maxCollections: null;
  maxStorageGb: number;
  hasPublicAndPrivateKeys: boolean;
  smSeats: null;
  smServiceAccounts: null;
  maxAutoscaleSmSeats: null;
  maxAutoscaleSmServiceAccounts: null;
  object: 'organization';
}

/** An entry of `profile.organizations` (sync, /api/accounts/profile, GET /api/organizations). */
export interface ProfileOrganizationResponseDto extends OrganizationFlagsDto {
  object: 'profileOrganization';
  id: string;
  name: string;
  enabled: boolean;
  identifier: null;
  userId: string;
  organizationUserId: string;
  key: string | null;
  status: number;
  type: number;
  permissions: PermissionsDto;
  productTierType: number;
  seats: null;
  maxCollections: null;
  maxStorageGb: number;
  useActivateAutofillPolicy: boolean;
  hasPublicAndPrivateKeys: boolean;
  resetPasswordEnrolled: boolean;
  ssoBound: boolean;
  ssoEnabled: boolean;
  ssoMemberDecryptionType: null;
  keyConnectorEnabled: boolean;
  keyConnectorUrl: null;
  providerId: null;
  providerName: null;
  providerType: null;
  familySponsorshipFriendlyName: null;
  familySponsorshipAvailable: boolean;
  familySponsorshipLastSyncDate: null;
  familySponsorshipValidUntil: null;
  familySponsorshipToDelete: null;
  isAdminInitiated: boolean;
  accessSecretsManager: boolean;
  accessPam: boolean;
  userIsClaimedByOrganization: boolean;
  userIsManagedByOrganization: boolean;
}

/** `collectionDetails`: a collection with the caller's access to it (sync, GET /api/collections). */
export interface CollectionDetailsResponseDto extends Omit<CollectionResponseDto, 'object'> {
  readOnly: boolean;
  hidePasswords: boolean;
  manage: boolean;
  object: 'collectionDetails';
}

/** `collection` (organization collection lists). */
export interface CollectionResponseDto {
  id: string;
  organizationId: string;
  name: string;
  externalId: string | null;
  type: number;
  defaultUserCollectionEmail: null;
  object: 'collection';
}

/** `collectionAccessDetails`: a collection, who has access (users: member ids), and the caller's own access. */
export interface CollectionAccessDetailsResponseDto extends Omit<CollectionResponseDto, 'object'> {
  groups: Array<{ id: string; readOnly: boolean; hidePasswords: boolean; manage: boolean }>;
  users: Array<{ id: string; readOnly: boolean; hidePasswords: boolean; manage: boolean }>;
  assigned: boolean;
  readOnly: boolean;
  hidePasswords: boolean;
  manage: boolean;
  unmanaged: boolean;
  object: 'collectionAccessDetails';
}

/** `policy`: `data` is the parsed JSON object (or null). */
export interface PolicyResponseDto {
  id: string;
  organizationId: string;
  type: number;
  data: unknown;
  enabled: boolean;
  revisionDate: string;
  object: 'policy';
}

export interface OrganizationPublicKeyResponseDto { publicKey: string | null; object: 'organizationPublicKey' }
export interface OrganizationKeysResponseDto { publicKey: string | null; privateKey: string | null; object: 'organizationKeys' }

/** A plan entry of GET /api/plans: just enough for the web vault's create-organization page. */
export interface PlanResponseDto {
  type: number;
  productTier: number;
  product: number;
  name: string;
  nameLocalizationKey: string;
  descriptionLocalizationKey: string;
  isAnnual: boolean;
  disabled: boolean;
  legacyYear: null;
  bitwardenProduct: number;
  trialPeriodDays: null;
  hasSelfHost: boolean;
  hasPolicies: boolean;
  hasGroups: boolean;
  hasDirectory: boolean;
  hasEvents: boolean;
  hasTotp: boolean;
  has2fa: boolean;
  hasApi: boolean;
  hasSso: boolean;
  hasResetPassword: boolean;
  usersGetPremium: boolean;
  upgradeSortOrder: number;
  displaySortOrder: number;
  passwordManager: { maxUsers: null; maxCollections: null; baseSeats: number; hasAdditionalSeatsOption: boolean; stripeSeatPlanId: null };
  secretsManager: null;
  object: 'plan';
}
