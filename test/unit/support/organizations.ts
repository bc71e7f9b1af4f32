// TEST CODE ONLY: organizations on the service tier, made and joined through the real services.
import { MembershipEntity } from '../../../src/db/entities';
import { MembersService } from '../../../src/organizations/members.service';
import { OrganizationsService } from '../../../src/organizations/organizations.service';
import { encString, ServiceHarness, TestUser } from './service-module';

/** An organization key as clients send it (wrapped to a member's public key: the services only store it). */
export const ORG_KEY = `4.${Buffer.from('org key for a member').toString('base64')}`;

/** An organization `owner` creates with a first collection; its id. */
export async function newOrganization(h: ServiceHarness, owner: TestUser, collectionName = 'c'): Promise<string> {
  return (await h.get(OrganizationsService).create(owner.auth, { name: 'Org', billingEmail: owner.email, key: ORG_KEY, collectionName: encString(collectionName) })).id;
}

/** The membership of `user` in organization `orgId`. */
export const membershipOf = (h: ServiceHarness, orgId: string, user: TestUser): Promise<MembershipEntity> =>
  h.db.getRepository(MembershipEntity).findOneByOrFail({ organizationId: orgId, userId: user.id });

/** `by` invites `user` as `type` and confirms them; their membership id. */
export async function joinOrganization(
  h: ServiceHarness, orgId: string, by: TestUser, user: TestUser, type: number, permissions?: Record<string, boolean>,
): Promise<string> {
  const members = h.get(MembersService);
  await members.invite(by.auth, orgId, { emails: [user.email], type, permissions });
  const id = (await membershipOf(h, orgId, user)).id;
  await members.confirm(by.auth, orgId, id, ORG_KEY);
  return id;
}
