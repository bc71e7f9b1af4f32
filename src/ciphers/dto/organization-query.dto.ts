import { IsDefined, IsUUID } from 'class-validator';

/** `?organizationId=` of the organization cipher routes (organization-details, import-organization): required. */
export class OrganizationQueryDto {
  @IsDefined() @IsUUID('all') organizationId!: string;
}
