import { Inject, Injectable } from '@nestjs/common';
import { AccountsQueryService } from '../accounts/accounts-query.service';
import { AccountsService } from '../accounts/accounts.service';
import { AuthContext } from '../common/auth/auth-context';
import { ErrorCode } from '../common/errors/error-code';
import { VaultError } from '../common/errors/vault-error';
import { getLogger } from '../common/logging/logger';
import { Clock } from '../common/time/clock';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.tokens';
import { SERVER_NAME } from '../config/server-info';
import { MembershipEntity } from '../db/entities';
import { MembershipStatus } from '../db/entities/membership.entity';
import { Tx, UnitOfWork } from '../db/unit-of-work';
import { MailService } from '../mail/mail.service';
import { orgInviteLink } from '../mail/templates/org-invite';
import { MemberAcceptRequestDto } from './dto/member-accept-request.dto';
import { InviteTokenService } from './invite-token.service';
import { MembersRepository } from './members.repository';
import { OrganizationsRepository } from './organizations.repository';
import { PoliciesQueryService } from './policies-query.service';

const log = getLogger('Invitations');

const refused = (message: string): VaultError => new VaultError(ErrorCode.MemberChangeRefused, message);

/**
 * Organization invitations with accept tokens (docs/organizations-plan.md §3.2, §11 Q5). With mail configured an
 * invitation is a membership in status Invited holding the address, and a mail with the web vault's accept link;
 * the invitee accepts with the link's token (`POST …/users/{id}/accept`, or by registering with it). Without mail
 * the members service keeps Vaultwarden's behaviour (existing accounts join as accepted at once, new ones when
 * they register) and the accept link is only written to the log at debug level.
 */
@Injectable()
export class InvitationsService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly uow: UnitOfWork,
    private readonly mail: MailService,
    private readonly tokens: InviteTokenService,
    private readonly members: MembersRepository,
    private readonly organizations: OrganizationsRepository,
    private readonly accounts: AccountsQueryService,
    private readonly clock: Clock,
    private readonly policies: PoliciesQueryService,
    private readonly accountsService: AccountsService,
  ) {}

  /** Whether invitations go out by mail (and wait for their token) rather than being accepted at once. */
  get byMail(): boolean {
    return this.mail.enabled;
  }

  /**
   * Sends (or, without mail, logs at debug level) the accept link of the invited membership `membership` in
   * `tx`: a fresh token, valid INVITATION_EXPIRATION_HOURS. `existingUser`: the address already has an account.
   */
  async send(tx: Tx, membership: MembershipEntity, existingUser: boolean): Promise<void> {
    const email = membership.email;
    if (email === null || membership.status !== MembershipStatus.Invited) throw new Error(`membership ${membership.id} is not an invitation`);
    const organization = await this.organizations.findOrganization(tx.manager, membership.organizationId);
    if (!organization) throw new VaultError(ErrorCode.OrganizationNotFound);
    const { token, expiresAt } = this.tokens.issue(organization.id, membership.id, email);
    const params = { organizationId: organization.id, organizationUserId: membership.id, email, organizationName: organization.name, token, existingUser, expiresAt };
    if (this.mail.enabled) {
      await this.mail.enqueue(tx, { to: email, template: 'org-invite', params, expiresAt });
      return;
    }
    // No mail: the invitation is taken up when the address registers; the link is for an operator who wants to hand it over.
    log.debug({ organizationId: organization.id, organizationUserId: membership.id, acceptLink: orgInviteLink({ publicUrl: this.config.publicUrl, productName: SERVER_NAME }, params) }, 'organizations.invite_link');
  }

  /**
   * `POST …/users/{memberId}/accept` by the invited user: the token must be the invitation's (organization,
   * member, address, unexpired) and the caller's account must have the invited address. The membership becomes
   * Accepted (user set, address cleared). Accepting an invitation this account already holds (the registration
   * took it up, or a second click) answers 200 again. Messages as bitwarden/server's AcceptOrgUserCommand.
   */
  accept(auth: AuthContext, orgId: string, memberId: string, dto: MemberAcceptRequestDto): Promise<void> {
    return this.uow.run(async (tx) => {
      const user = await this.accounts.requireUser(tx.manager, auth.userId);
      const target = await this.members.findMembership(tx.manager, orgId, memberId);
      if (!target) throw refused('User invalid.');
      const invitedEmail = target.email ?? user.email;
      if (!this.tokens.verify(dto.token, orgId, memberId, invitedEmail)) throw refused('Invalid token.');
      if (target.userId === user.id) {
        if (target.status === MembershipStatus.Revoked) throw refused('Your organization access has been revoked.');
        return;
      }
      const existing = await this.organizations.findMembership(tx.manager, orgId, user.id);
      if (existing) {
        throw refused(existing.status === MembershipStatus.Accepted
          ? 'Invitation already accepted. You will receive an email when your organization membership is confirmed.'
          : 'You are already part of this organization.');
      }
      if (target.status === MembershipStatus.Revoked) throw refused('Your organization access has been revoked.');
      if (target.userId !== null || target.status !== MembershipStatus.Invited || target.email === null) throw refused('Invitation already accepted.');
      if (target.email.toLowerCase() !== user.email.toLowerCase()) throw refused('User email does not match invite.');
      // Single organization and Require two-step login (official AcceptOrganizationMembershipValidator).
      await this.policies.assertMayJoin(tx.manager, 'accept', orgId, { id: user.id, email: user.email });
      await this.acceptMembership(tx, target, user.id, dto.resetPasswordKey ?? null, user.email);
      // The token came to the invited address, which is the account's: that proves the address.
      await this.accountsService.markEmailVerified(tx.manager, user);
    });
  }

  /**
   * Accepts the invitation `membership` for `user` (automatic accepts: an existing account invited without mail,
   * a registration) when Single organization and Require two-step login allow it; when they refuse, the
   * membership stays Invited and false is returned.
   */
  async acceptIfAllowed(tx: Tx, membership: MembershipEntity, user: { id: string; email: string }): Promise<boolean> {
    try {
      await this.policies.assertMayJoin(tx.manager, 'accept', membership.organizationId, { id: user.id, email: user.email });
    } catch (error) {
      if (error instanceof VaultError && error.code === ErrorCode.MemberChangeRefused) {
        log.info({ organizationId: membership.organizationId, organizationUserId: membership.id, userId: user.id }, 'organizations.auto_accept_refused_by_policy');
        return false;
      }
      throw error;
    }
    await this.acceptMembership(tx, membership, user.id, null, user.email);
    return true;
  }

  /**
   * The one place an invitation becomes an accepted membership (token accept, automatic accepts): the user is
   * set, the address cleared, status Accepted. No notification to the member (an accepted member sees the
   * organization once confirmed); with mail, the organization's confirmed owners and admins get the official
   * "needs to be confirmed" mail (OrganizationUserAccepted), in this transaction.
   */
  async acceptMembership(tx: Tx, membership: MembershipEntity, userId: string, resetPasswordKey: string | null, userEmail: string): Promise<void> {
    membership.userId = userId;
    membership.email = null;
    membership.status = MembershipStatus.Accepted;
    if (resetPasswordKey !== null) membership.resetPasswordKey = resetPasswordKey;
    membership.revisionDate = this.clock.now();
    await this.members.save(tx.manager, membership);
    if (!this.mail.enabled) return;
    const admins = await this.members.adminEmails(tx.manager, membership.organizationId);
    const organization = admins.length > 0 ? await this.organizations.findOrganization(tx.manager, membership.organizationId) : null;
    if (!organization) return;
    await this.mail.enqueue(tx, {
      to: admins, template: 'org-user-accepted',
      params: { organizationId: organization.id, organizationName: organization.name, userIdentifier: userEmail },
    });
  }
}
