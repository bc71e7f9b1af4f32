import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ProfileOrganizationsSource } from '../accounts/profile-organizations';
import { CollectionDetailsResponseDto, PolicyResponseDto, ProfileOrganizationResponseDto } from './dto/organization-response.dto';
import { toCollectionDetails, toPolicyResponse, toProfileOrganization } from './dto/organization-response.mapper';
import { OrganizationsRepository } from './organizations.repository';

/** Read side of organizations that other features compose: the profile entries, collections and policies of sync. */
@Injectable()
export class OrganizationsQueryService extends ProfileOrganizationsSource {
  constructor(private readonly repo: OrganizationsRepository) {
    super();
  }

  /** `profile.organizations`: the user's confirmed memberships, disabled organizations included (enabled: false). */
  async forUser(db: EntityManager, userId: string): Promise<ProfileOrganizationResponseDto[]> {
    return (await this.repo.confirmedMemberships(db, userId)).map(({ organization, membership }) => toProfileOrganization(organization, membership));
  }

  /** Sync `collections`: collections assigned to the user in enabled organizations where the user is confirmed. */
  async collectionsForUser(db: EntityManager, userId: string): Promise<CollectionDetailsResponseDto[]> {
    const memberships = (await this.repo.confirmedMemberships(db, userId)).filter(({ organization }) => organization.enabled);
    const assigned = await this.repo.assignedCollections(db, memberships.map(({ membership }) => membership.id));
    return assigned.map(({ collection, access }) => toCollectionDetails(collection, { readOnly: access.readOnly, hidePasswords: access.hidePasswords, manage: access.manage }));
  }

  /** Sync `policies`: every policy of every organization where the user is confirmed. */
  async policiesForUser(db: EntityManager, userId: string): Promise<PolicyResponseDto[]> {
    const memberships = await this.repo.confirmedMemberships(db, userId);
    return (await this.repo.policiesOf(db, memberships.map(({ organization }) => organization.id))).map(toPolicyResponse);
  }
}
