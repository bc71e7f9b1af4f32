import { MembershipStatus, MembershipType } from '../db/entities/membership.entity';

/** PolicyType (docs/organizations-plan.md §1.3): numbers and names as in bitwarden/server. */
export enum PolicyType {
  TwoFactorAuthentication = 0,
  MasterPassword = 1,
  PasswordGenerator = 2,
  SingleOrg = 3,
  RequireSso = 4,
  /** Formerly PersonalOwnership ("remove individual vault"). */
  OrganizationDataOwnership = 5,
  DisableSend = 6,
  SendOptions = 7,
  /** Account recovery. */
  ResetPassword = 8,
  MaximumVaultTimeout = 9,
  DisablePersonalVaultExport = 10,
  ActivateAutofill = 11,
  AutomaticAppLogIn = 12,
  FreeFamiliesSponsorshipPolicy = 13,
  RemoveUnlockWithPin = 14,
  RestrictedItemTypesPolicy = 15,
  UriMatchDefaults = 16,
  AutotypeDefaultSetting = 17,
  AutomaticUserConfirmation = 18,
  BlockClaimedDomainAccountCreation = 19,
  OrganizationUserNotification = 20,
  SendControls = 21,
  FillAssist = 22,
}

export const POLICY_TYPES: readonly number[] = Object.values(PolicyType).filter((v): v is number => typeof v === 'number');

export function isPolicyType(value: number): value is PolicyType {
  return POLICY_TYPES.includes(value);
}

/** The names the official server shows in its messages ("do not include the word policy"). */
const DISPLAY_NAMES: Record<PolicyType, string> = {
  [PolicyType.TwoFactorAuthentication]: 'Require two-step login',
  [PolicyType.MasterPassword]: 'Master password requirements',
  [PolicyType.PasswordGenerator]: 'Password generator',
  [PolicyType.SingleOrg]: 'Single organization',
  [PolicyType.RequireSso]: 'Require single sign-on authentication',
  [PolicyType.OrganizationDataOwnership]: 'Enforce organization data ownership',
  [PolicyType.DisableSend]: 'Remove Send',
  [PolicyType.SendOptions]: 'Send options',
  [PolicyType.ResetPassword]: 'Account recovery administration',
  [PolicyType.MaximumVaultTimeout]: 'Vault timeout',
  [PolicyType.DisablePersonalVaultExport]: 'Remove individual vault export',
  [PolicyType.ActivateAutofill]: 'Active auto-fill',
  [PolicyType.AutomaticAppLogIn]: 'Automatic login with SSO',
  [PolicyType.FreeFamiliesSponsorshipPolicy]: 'Remove Free Bitwarden Families sponsorship',
  [PolicyType.RemoveUnlockWithPin]: 'Remove unlock with PIN',
  [PolicyType.RestrictedItemTypesPolicy]: 'Restricted item types',
  [PolicyType.UriMatchDefaults]: 'URI match defaults',
  [PolicyType.AutotypeDefaultSetting]: 'Autotype default setting',
  [PolicyType.AutomaticUserConfirmation]: 'Automatically confirm invited users',
  [PolicyType.BlockClaimedDomainAccountCreation]: 'Block account creation for claimed domains',
  [PolicyType.OrganizationUserNotification]: 'Vault banner message',
  [PolicyType.SendControls]: 'Send controls',
  [PolicyType.FillAssist]: 'Fill Assist',
};

export const policyDisplayName = (type: PolicyType): string => DISPLAY_NAMES[type];

/** Policies that can only be turned on while these are on (the official IEnforceDependentPoliciesEvent handlers). */
export const REQUIRED_POLICIES: Partial<Record<PolicyType, readonly PolicyType[]>> = {
  [PolicyType.RequireSso]: [PolicyType.SingleOrg],
  [PolicyType.ResetPassword]: [PolicyType.SingleOrg],
  [PolicyType.MaximumVaultTimeout]: [PolicyType.SingleOrg],
  [PolicyType.UriMatchDefaults]: [PolicyType.SingleOrg],
  [PolicyType.AutomaticUserConfirmation]: [PolicyType.SingleOrg],
  [PolicyType.OrganizationUserNotification]: [PolicyType.SingleOrg],
};

/**
 * Why turning `type` on or off is refused by the dependency rules, or null. `enabledNow`: the types enabled
 * before the change. Only a change of state is checked (saving an enabled policy again re-checks nothing).
 */
export function dependencyViolation(type: PolicyType, enable: boolean, enabledNow: ReadonlySet<number>): string | null {
  const wasEnabled = enabledNow.has(type);
  if (enable && !wasEnabled) {
    const missing = (REQUIRED_POLICIES[type] ?? []).find((required) => !enabledNow.has(required));
    return missing === undefined ? null : `Turn on the ${policyDisplayName(missing)} policy because it is required for the ${policyDisplayName(type)} policy.`;
  }
  if (!enable && wasEnabled) {
    const dependents = (Object.entries(REQUIRED_POLICIES) as Array<[string, readonly PolicyType[]]>)
      .filter(([dependent, required]) => required.includes(type) && enabledNow.has(Number(dependent)))
      .map(([dependent]) => Number(dependent) as PolicyType);
    if (dependents.length === 1) return `Turn off the ${policyDisplayName(dependents[0]!)} policy because it requires the ${policyDisplayName(type)} policy.`;
    if (dependents.length > 1) return `Turn off all of the policies that require the ${policyDisplayName(type)} policy.`;
  }
  return null;
}

type FieldKind = 'int?' | 'bool?' | 'bool' | 'string?';
interface FieldRule { key: string; property: string; kind: FieldKind; range?: [number, number] }

/**
 * The data models the official server deserialises (case-sensitively, camelCase) before saving, by type; other
 * types store whatever object was sent. `property` is the C# name its range messages use.
 */
const DATA_RULES: Partial<Record<PolicyType, readonly FieldRule[]>> = {
  [PolicyType.MasterPassword]: [
    { key: 'minComplexity', property: 'MinComplexity', kind: 'int?', range: [0, 4] },
    { key: 'minLength', property: 'MinLength', kind: 'int?', range: [12, 128] },
    { key: 'requireLower', property: 'RequireLower', kind: 'bool?' },
    { key: 'requireUpper', property: 'RequireUpper', kind: 'bool?' },
    { key: 'requireNumbers', property: 'RequireNumbers', kind: 'bool?' },
    { key: 'requireSpecial', property: 'RequireSpecial', kind: 'bool?' },
    { key: 'enforceOnLogin', property: 'EnforceOnLogin', kind: 'bool?' },
  ],
  [PolicyType.SendOptions]: [{ key: 'disableHideEmail', property: 'DisableHideEmail', kind: 'bool' }],
  [PolicyType.ResetPassword]: [{ key: 'autoEnrollEnabled', property: 'AutoEnrollEnabled', kind: 'bool' }],
  [PolicyType.FillAssist]: [{ key: 'rulesUrl', property: 'RulesUrl', kind: 'string?' }],
};

const INT32_MAX = 2_147_483_647;

function fitsKind(value: unknown, kind: FieldKind): boolean {
  if (value === null) return kind !== 'bool';
  switch (kind) {
    case 'int?': return typeof value === 'number' && Number.isInteger(value) && Math.abs(value) <= INT32_MAX;
    case 'bool?':
    case 'bool': return typeof value === 'boolean';
    case 'string?': return typeof value === 'string';
  }
}

/** The JSON enum name of a type, as the official messages print it (`MasterPassword`). */
const typeName = (type: PolicyType): string => PolicyType[type];

export class PolicyDataError extends Error {}

/**
 * Checks `data` against the type's data model and returns the text to store: null for no data or an empty
 * object, else the object as sent. Throws PolicyDataError with the official message when a known field has the
 * wrong JSON type or a value out of range.
 */
export function serializePolicyData(type: PolicyType, data: Record<string, unknown> | null | undefined): string | null {
  if (!data || Object.keys(data).length === 0) return null;
  const rules = DATA_RULES[type] ?? [];
  for (const rule of rules) {
    if (Object.prototype.hasOwnProperty.call(data, rule.key) && !fitsKind(data[rule.key], rule.kind)) {
      throw new PolicyDataError(`Invalid data for ${typeName(type)} policy: ${rule.key} has an invalid value.`);
    }
  }
  const outOfRange = rules
    .filter((rule) => rule.range && typeof data[rule.key] === 'number')
    .filter((rule) => (data[rule.key] as number) < rule.range![0] || (data[rule.key] as number) > rule.range![1])
    .map((rule) => `The field ${rule.property} must be between ${rule.range![0]} and ${rule.range![1]}.`);
  if (outOfRange.length > 0) throw new PolicyDataError(`Invalid data for ${typeName(type)} policy: ${outOfRange.join(', ')}`);
  return JSON.stringify(data);
}

/** Stored data as an object (null when there is none or it is not an object). */
export function parsePolicyData(stored: string | null): Record<string, unknown> | null {
  if (!stored) return null;
  try {
    const parsed: unknown = JSON.parse(stored);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/**
 * Why turning Fill Assist on is refused (its rules page must be an https URL), or null (official
 * FillAssistPolicyEventHandler with the data model's annotations).
 */
export function fillAssistViolation(data: Record<string, unknown> | null): string | null {
  const url = data?.rulesUrl;
  if (url === undefined || url === null || url === '') return 'The RulesUrl field is required.';
  const messages: string[] = [];
  if (typeof url === 'string' && !/^(https?|ftp):\/\//i.test(url)) messages.push('The RulesUrl field is not a valid fully-qualified http, https, or ftp URL.');
  if (typeof url !== 'string' || !/^https:\/\//i.test(url)) messages.push('RulesUrl must use HTTPS.');
  return messages.length > 0 ? messages.join(', ') : null;
}

/** Who a policy of each type is enforced against (official BasePolicyRequirementFactory and its overrides). */
interface Exemptions { roles: readonly number[]; statuses: readonly number[] }
const DEFAULT_EXEMPTIONS: Exemptions = { roles: [MembershipType.Owner, MembershipType.Admin], statuses: [MembershipStatus.Invited, MembershipStatus.Revoked] };
const EXEMPTIONS: Partial<Record<PolicyType, Exemptions>> = {
  [PolicyType.SingleOrg]: { roles: DEFAULT_EXEMPTIONS.roles, statuses: [] },
  [PolicyType.TwoFactorAuthentication]: { roles: DEFAULT_EXEMPTIONS.roles, statuses: [] },
  [PolicyType.MasterPassword]: { roles: [], statuses: DEFAULT_EXEMPTIONS.statuses },
  [PolicyType.ResetPassword]: { roles: [], statuses: [MembershipStatus.Revoked] },
  [PolicyType.AutomaticUserConfirmation]: { roles: [], statuses: [] },
};

/** Whether a policy of `type` applies to a member of this role and status (owners and admins are exempt from most). */
export function enforcedAgainst(type: PolicyType, membership: { type: number; status: number }): boolean {
  const exemptions = EXEMPTIONS[type] ?? DEFAULT_EXEMPTIONS;
  return !exemptions.roles.includes(membership.type) && !exemptions.statuses.includes(membership.status);
}
