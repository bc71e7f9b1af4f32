import { toApiDate } from '../../common/time/clock';
import { CollectionEntity, MembershipEntity, OrganizationEntity, PolicyEntity } from '../../db/entities';
import {
  CollectionDetailsResponseDto, CollectionResponseDto, OrganizationFlagsDto, OrganizationResponseDto, PermissionsDto, PlanResponseDto,
  PolicyResponseDto, ProfileOrganizationResponseDto,
} from './organization-response.dto';

/** ProductTierType Enterprise: every feature the clients gate on the tier is available on a self-hosted server. */
const ENTERPRISE_TIER = 3;
/** PlanType Custom (self-hosted organizations have no billing plan). */
const CUSTOM_PLAN = 6;
/** Unused by the clients; Vaultwarden's figure. */
const MAX_STORAGE_GB = 32_767;

const NO_PERMISSIONS: PermissionsDto = {
  accessEventLogs: false, accessImportExport: false, accessReports: false, createNewCollections: false, editAnyCollection: false,
  deleteAnyCollection: false, manageGroups: false, managePolicies: false, manageSso: false, manageUsers: false, manageResetPassword: false,
  manageScim: false, manageAccessRules: false,
};

/** The stored custom permissions over the all-false default; unknown or malformed keys are ignored. */
export function permissionsOf(stored: string | null): PermissionsDto {
  if (!stored) return { ...NO_PERMISSIONS };
  let parsed: unknown;
  try {
    parsed = JSON.parse(stored);
  } catch {
    return { ...NO_PERMISSIONS };
  }
  const out = { ...NO_PERMISSIONS };
  if (typeof parsed === 'object' && parsed !== null) {
    for (const key of Object.keys(NO_PERMISSIONS) as Array<keyof PermissionsDto>) {
      if ((parsed as Record<string, unknown>)[key] === true) out[key] = true;
    }
  }
  return out;
}

/** Server-wide features an organization entry reports (from the configuration). */
export interface ServerFeatures { groups: boolean }

function flags(org: OrganizationEntity, features: ServerFeatures): OrganizationFlagsDto {
  return {
    usePolicies: true, useSso: false, useKeyConnector: false, useScim: false, useGroups: features.groups, useDirectory: false, useEvents: false,
    useTotp: true, use2fa: true, useApi: true, useResetPassword: false, useSecretsManager: false, usePasswordManager: true,
    usersGetPremium: true, useCustomPermissions: true, useRiskInsights: false, useOrganizationDomains: false, useAdminSponsoredFamilies: false,
    useAutomaticUserConfirmation: false, useDisableSMAdsForUsers: true, usePhishingBlocker: false, useMyItems: false, useInviteLinks: false,
    usePam: false, selfHost: true,
    limitCollectionCreation: org.limitCollectionCreation,
    limitCollectionDeletion: org.limitCollectionDeletion,
    limitItemDeletion: org.limitItemDeletion,
    allowAdminAccessToAllCollectionItems: org.allowAdminAccessToAllCollectionItems,
  };
}

export function toOrganizationResponse(org: OrganizationEntity, features: ServerFeatures): OrganizationResponseDto {
  return {
    id: org.id,
    name: org.name,
    businessName: org.name,
    businessAddress1: null,
    businessAddress2: null,
    businessAddress3: null,
    businessCountry: null,
    businessTaxNumber: null,
    billingEmail: org.billingEmail,
    plan: null,
    secretsManagerPlan: null,
    planType: CUSTOM_PLAN,
    seats: null,
    maxAutoscaleSeats: null,
    maxCollections: null,
    maxStorageGb: MAX_STORAGE_GB,
    ...flags(org, features),
    hasPublicAndPrivateKeys: org.publicKey !== null && org.privateKey !== null,
    smSeats: null,
    smServiceAccounts: null,
    maxAutoscaleSmSeats: null,
    maxAutoscaleSmServiceAccounts: null,
    object: 'organization',
  };
}

export function toProfileOrganization(org: OrganizationEntity, membership: MembershipEntity, features: ServerFeatures): ProfileOrganizationResponseDto {
  return {
    object: 'profileOrganization',
    id: org.id,
    name: org.name,
    enabled: org.enabled,
    identifier: null,
    userId: membership.userId ?? '',
    organizationUserId: membership.id,
    key: membership.orgKey,
    status: membership.status,
    type: membership.type,
    permissions: permissionsOf(membership.permissions),
    productTierType: ENTERPRISE_TIER,
    seats: null,
    maxCollections: null,
    maxStorageGb: MAX_STORAGE_GB,
    ...flags(org, features),
    useActivateAutofillPolicy: true,
    hasPublicAndPrivateKeys: org.publicKey !== null && org.privateKey !== null,
    resetPasswordEnrolled: membership.resetPasswordKey !== null,
    ssoBound: false,
    ssoEnabled: false,
    ssoMemberDecryptionType: null,
    keyConnectorEnabled: false,
    keyConnectorUrl: null,
    providerId: null,
    providerName: null,
    providerType: null,
    familySponsorshipFriendlyName: null,
    familySponsorshipAvailable: false,
    familySponsorshipLastSyncDate: null,
    familySponsorshipValidUntil: null,
    familySponsorshipToDelete: null,
    isAdminInitiated: false,
    accessSecretsManager: false,
    accessPam: false,
    userIsClaimedByOrganization: false,
    userIsManagedByOrganization: false,
  };
}

export interface CollectionAccess { readOnly: boolean; hidePasswords: boolean; manage: boolean }

export function toCollectionDetails(collection: CollectionEntity, access: CollectionAccess): CollectionDetailsResponseDto {
  return { ...toCollectionResponse(collection), readOnly: access.readOnly, hidePasswords: access.hidePasswords, manage: access.manage, object: 'collectionDetails' };
}

export function toCollectionResponse(collection: CollectionEntity): CollectionResponseDto {
  return {
    id: collection.id, organizationId: collection.organizationId, name: collection.name, externalId: collection.externalId, type: 0,
    defaultUserCollectionEmail: null, object: 'collection',
  };
}

export function toPolicyResponse(policy: PolicyEntity): PolicyResponseDto {
  let data: unknown = null;
  if (policy.data) {
    try {
      data = JSON.parse(policy.data);
    } catch {
      data = null;
    }
  }
  return { id: policy.id, organizationId: policy.organizationId, type: policy.type, data, enabled: policy.enabled, revisionDate: toApiDate(policy.revisionDate), object: 'policy' };
}

/** GET /api/plans: one free, self-hostable plan, enough for the web vault to offer "create organization". */
export function selfHostedPlans(): PlanResponseDto[] {
  return [0, 1].map((product) => ({
    type: 0, productTier: 0, product, name: 'Free', nameLocalizationKey: 'planNameFree', descriptionLocalizationKey: 'planDescFree',
    isAnnual: false, disabled: false, legacyYear: null, bitwardenProduct: product, trialPeriodDays: null, hasSelfHost: true, hasPolicies: true,
    hasGroups: false, hasDirectory: false, hasEvents: false, hasTotp: true, has2fa: true, hasApi: true, hasSso: false, hasResetPassword: false,
    usersGetPremium: true, upgradeSortOrder: -1, displaySortOrder: -1,
    passwordManager: { maxUsers: null, maxCollections: null, baseSeats: 0, hasAdditionalSeatsOption: false, stripeSeatPlanId: null },
    secretsManager: null, object: 'plan',
  }));
}
