import { GLOBAL_DOMAINS } from '../global-domains';

export interface GlobalDomainResponseDto {
  type: number;
  domains: string[];
  excluded: boolean;
}

export interface DomainsResponseDto {
  equivalentDomains: string[][];
  globalEquivalentDomains: GlobalDomainResponseDto[];
  object: 'domains';
}

export interface UserDomains {
  equivalentDomains: string[][];
  excludedGlobalDomains: number[];
}

/**
 * `omitExcluded`: leave the excluded global groups out (sync) instead of listing them with `excluded: true`
 * (settings page).
 */
export function toDomainsResponse(domains: UserDomains, omitExcluded: boolean): DomainsResponseDto {
  const excluded = new Set(domains.excludedGlobalDomains);
  return {
    equivalentDomains: domains.equivalentDomains,
    globalEquivalentDomains: GLOBAL_DOMAINS.filter((group) => !(omitExcluded && excluded.has(group.type))).map((group) => ({
      type: group.type,
      domains: [...group.domains],
      excluded: excluded.has(group.type),
    })),
    object: 'domains',
  };
}
