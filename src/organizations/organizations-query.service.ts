import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ProfileOrganizationsSource } from '../accounts/profile-organizations';
import { ErrorCode } from '../common/errors/error-code';
import { VaultError } from '../common/errors/vault-error';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.tokens';
import { MembershipEntity, OrganizationEntity } from '../db/entities';
import { MembershipStatus } from '../db/entities/membership.entity';
import { CollectionDetailsResponseDto, PolicyResponseDto, ProfileOrganizationResponseDto } from './dto/organization-response.dto';
import { toCollectionDetails, toPolicyResponse, toProfileOrganization } from './dto/organization-response.mapper';
import { OrganizationsRepository } from './organizations.repository';

/** Read side of organizations that other features compose: the profile entries, collections and policies of sync. */
@Injectable()
export class OrganizationsQueryService extends ProfileOrganizationsSource {
  constructor(private readonly repo: OrganizationsRepository, @Inject(APP_CONFIG) private readonly config: AppConfig) {
    super();
  }

  /** Only confirmed members act on an organization; anyone else gets 404, whether or not it exists. */
  async requireConfirmedMember(db: EntityManager, organizationId: string, userId: string): Promise<{ organization: OrganizationEntity; membership: MembershipEntity }> {
    const membership = await this.repo.findMembership(db, organizationId, userId);
    if (!membership || membership.status !== MembershipStatus.Confirmed) throw new VaultError(ErrorCode.OrganizationNotFound);
    const organization = await this.repo.findOrganization(db, organizationId);
    if (!organization) throw new VaultError(ErrorCode.OrganizationNotFound);
    return { organization, membership };
  }

  /** `profile.organizations`: the user's confirmed memberships, disabled organizations included (enabled: false). */
  async forUser(db: EntityManager, userId: string): Promise<ProfileOrganizationResponseDto[]> {
    return (await this.repo.confirmedMemberships(db, userId)).map(({ organization, membership }) => toProfileOrganization(organization, membership, { groups: this.config.orgGroupsEnabled }));
  }

  isSoleOwner(db: EntityManager, userId: string): Promise<boolean> {
    return this.repo.isSoleOwner(db, userId);
  }

  /**
   * Sync `collections`: collections assigned to the user, directly or through a group, in enabled organizations
   * where the user is confirmed, with the user's access to each (§5.3).
   */
  async collectionsForUser(db: EntityManager, userId: string): Promise<CollectionDetailsResponseDto[]> {
    const memberships = (await this.repo.confirmedMemberships(db, userId)).filter(({ organization }) => organization.enabled);
    const assigned = await this.repo.assignedCollections(db, memberships.map(({ membership }) => membership.id));
    return assigned.map(({ collection, access }) => toCollectionDetails(collection, access));
  }

  /** Sync `policies`: every policy of every organization where the user is confirmed. */
  async policiesForUser(db: EntityManager, userId: string): Promise<PolicyResponseDto[]> {
    const memberships = await this.repo.confirmedMemberships(db, userId);
    return (await this.repo.policiesOf(db, memberships.map(({ organization }) => organization.id))).map(toPolicyResponse);
  }
}
