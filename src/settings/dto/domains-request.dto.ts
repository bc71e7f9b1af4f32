import { ArrayMaxSize, IsArray, IsInt, IsOptional, Max, Min, ValidateBy, ValidationOptions } from 'class-validator';

export const MAX_EQUIVALENT_GROUPS = 1_000;
export const MAX_DOMAINS_PER_GROUP = 1_000;
export const MAX_DOMAIN_LENGTH = 255;

function isDomainGroups(value: unknown): boolean {
  return (
    Array.isArray(value) &&
    value.every(
      (group) =>
        Array.isArray(group) &&
        group.length <= MAX_DOMAINS_PER_GROUP &&
        group.every((domain) => typeof domain === 'string' && domain.length > 0 && domain.length <= MAX_DOMAIN_LENGTH),
    )
  );
}

/** An array of groups, each an array of non-empty domain strings. */
function IsDomainGroups(validationOptions?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isDomainGroups',
      validator: {
        validate: isDomainGroups,
        defaultMessage: () =>
          `$property must be an array of arrays of domains (at most ${MAX_DOMAINS_PER_GROUP} per group, each 1–${MAX_DOMAIN_LENGTH} characters)`,
      },
    },
    validationOptions,
  );
}

/** Body of PUT/POST /api/settings/domains. */
export class DomainsRequestDto {
  @IsOptional() @IsArray() @ArrayMaxSize(MAX_EQUIVALENT_GROUPS) @IsDomainGroups()
  equivalentDomains?: string[][] | null;

  /** GlobalEquivalentDomainsType numbers the user turned off. */
  @IsOptional() @IsArray() @ArrayMaxSize(1_000) @IsInt({ each: true }) @Min(0, { each: true }) @Max(255, { each: true })
  excludedGlobalEquivalentDomains?: number[] | null;
}
