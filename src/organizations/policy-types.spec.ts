import { dependencyViolation, enforcedAgainst, fillAssistViolation, PolicyDataError, PolicyType, serializePolicyData } from './policy-types';

describe('policy data (the official data models)', () => {
  it('stores the object as sent, and no data for none or an empty object', () => {
    const data = { minComplexity: 4, minLength: 14, requireUpper: true, requireLower: null, enforceOnLogin: false, extra: 'kept' };
    expect(serializePolicyData(PolicyType.MasterPassword, data)).toBe(JSON.stringify(data));
    expect(serializePolicyData(PolicyType.MasterPassword, {})).toBeNull();
    expect(serializePolicyData(PolicyType.MasterPassword, null)).toBeNull();
    expect(serializePolicyData(PolicyType.PasswordGenerator, { overridePasswordType: 'password', minLength: 'anything' })).toContain('overridePasswordType');
  });

  it('refuses a known field of the wrong JSON type, naming it', () => {
    expect(() => serializePolicyData(PolicyType.MasterPassword, { minLength: '14' })).toThrow(new PolicyDataError('Invalid data for MasterPassword policy: minLength has an invalid value.'));
    expect(() => serializePolicyData(PolicyType.MasterPassword, { requireUpper: 1 })).toThrow('requireUpper has an invalid value.');
    expect(() => serializePolicyData(PolicyType.MasterPassword, { minComplexity: 2.5 })).toThrow('minComplexity has an invalid value.');
    expect(() => serializePolicyData(PolicyType.SendOptions, { disableHideEmail: null })).toThrow('Invalid data for SendOptions policy: disableHideEmail has an invalid value.');
    expect(() => serializePolicyData(PolicyType.ResetPassword, { autoEnrollEnabled: 'yes' })).toThrow('Invalid data for ResetPassword policy: autoEnrollEnabled has an invalid value.');
    // Keys are matched case-sensitively, as System.Text.Json does with the camelCase policy: others are not checked.
    expect(serializePolicyData(PolicyType.MasterPassword, { MinLength: 'x' })).toBe('{"MinLength":"x"}');
  });

  it('refuses master password values out of range with the DataAnnotations messages', () => {
    expect(() => serializePolicyData(PolicyType.MasterPassword, { minLength: 8 })).toThrow('Invalid data for MasterPassword policy: The field MinLength must be between 12 and 128.');
    expect(() => serializePolicyData(PolicyType.MasterPassword, { minComplexity: 5, minLength: 129 }))
      .toThrow('Invalid data for MasterPassword policy: The field MinComplexity must be between 0 and 4., The field MinLength must be between 12 and 128.');
    expect(serializePolicyData(PolicyType.MasterPassword, { minComplexity: 0, minLength: 128 })).not.toBeNull();
  });

  it('Fill Assist needs an https rules URL when turned on', () => {
    expect(fillAssistViolation(null)).toBe('The RulesUrl field is required.');
    expect(fillAssistViolation({ rulesUrl: 'ftp://example.com/rules' })).toBe('RulesUrl must use HTTPS.');
    expect(fillAssistViolation({ rulesUrl: 'rules' })).toBe('The RulesUrl field is not a valid fully-qualified http, https, or ftp URL., RulesUrl must use HTTPS.');
    expect(fillAssistViolation({ rulesUrl: 'https://example.com/rules.json' })).toBeNull();
  });
});

describe('policy dependencies (official SavePolicyCommand)', () => {
  const on = (...types: PolicyType[]): Set<number> => new Set(types);

  it('a policy that requires Single organization cannot be turned on without it', () => {
    for (const type of [PolicyType.RequireSso, PolicyType.ResetPassword, PolicyType.MaximumVaultTimeout, PolicyType.UriMatchDefaults, PolicyType.AutomaticUserConfirmation, PolicyType.OrganizationUserNotification]) {
      expect(dependencyViolation(type, true, on())).toMatch(/^Turn on the Single organization policy because it is required for the .+ policy\.$/);
      expect(dependencyViolation(type, true, on(PolicyType.SingleOrg))).toBeNull();
    }
    expect(dependencyViolation(PolicyType.ResetPassword, true, on())).toBe('Turn on the Single organization policy because it is required for the Account recovery administration policy.');
    expect(dependencyViolation(PolicyType.MasterPassword, true, on())).toBeNull();
  });

  it('Single organization cannot be turned off while a policy that requires it is on', () => {
    expect(dependencyViolation(PolicyType.SingleOrg, false, on(PolicyType.SingleOrg, PolicyType.ResetPassword)))
      .toBe('Turn off the Account recovery administration policy because it requires the Single organization policy.');
    expect(dependencyViolation(PolicyType.SingleOrg, false, on(PolicyType.SingleOrg, PolicyType.ResetPassword, PolicyType.MaximumVaultTimeout)))
      .toBe('Turn off all of the policies that require the Single organization policy.');
    expect(dependencyViolation(PolicyType.SingleOrg, false, on(PolicyType.SingleOrg, PolicyType.MasterPassword))).toBeNull();
  });

  it('only a change of state is checked', () => {
    expect(dependencyViolation(PolicyType.ResetPassword, true, on(PolicyType.ResetPassword))).toBeNull(); // saved again, data changed
    expect(dependencyViolation(PolicyType.SingleOrg, false, on(PolicyType.ResetPassword))).toBeNull(); // already off
  });
});

describe('who a policy binds (official policy requirement factories)', () => {
  it('owners and admins are exempt from most types; invited and revoked members too', () => {
    expect(enforcedAgainst(PolicyType.OrganizationDataOwnership, { type: 2, status: 2 })).toBe(true);
    expect(enforcedAgainst(PolicyType.OrganizationDataOwnership, { type: 4, status: 1 })).toBe(true);
    expect(enforcedAgainst(PolicyType.OrganizationDataOwnership, { type: 0, status: 2 })).toBe(false);
    expect(enforcedAgainst(PolicyType.OrganizationDataOwnership, { type: 1, status: 2 })).toBe(false);
    expect(enforcedAgainst(PolicyType.OrganizationDataOwnership, { type: 2, status: 0 })).toBe(false);
    expect(enforcedAgainst(PolicyType.OrganizationDataOwnership, { type: 2, status: -1 })).toBe(false);
  });

  it('Single organization and two-step login bind every status; master password and account recovery bind every role', () => {
    expect(enforcedAgainst(PolicyType.SingleOrg, { type: 2, status: 0 })).toBe(true);
    expect(enforcedAgainst(PolicyType.TwoFactorAuthentication, { type: 2, status: -1 })).toBe(true);
    expect(enforcedAgainst(PolicyType.TwoFactorAuthentication, { type: 1, status: 2 })).toBe(false);
    expect(enforcedAgainst(PolicyType.MasterPassword, { type: 0, status: 2 })).toBe(true);
    expect(enforcedAgainst(PolicyType.ResetPassword, { type: 0, status: 0 })).toBe(true);
    expect(enforcedAgainst(PolicyType.ResetPassword, { type: 0, status: -1 })).toBe(false);
  });
});
