import { Injectable } from '@nestjs/common';
import { AccountRevisionService } from '../accounts/account-revision.service';
import { Clock } from '../common/time/clock';
import { MembershipStatus } from '../db/entities/membership.entity';
import { Tx } from '../db/unit-of-work';
import { DomainEventMap } from '../event-bus/domain-events';
import { EventBus } from '../event-bus/event-bus.service';
import { OnDomainEvent } from '../event-bus/on-domain-event.decorator';
import { PoliciesQueryService } from './policies-query.service';
import { PoliciesRepository } from './policies.repository';
import { PolicyType } from './policy-types';

const ACTIVE = [MembershipStatus.Accepted, MembershipStatus.Confirmed] as number[];

/**
 * "Require two-step login" (policy 0) when a user turns two-step login fully off (bitwarden/server's
 * RevokeNonCompliantOrganizationUserCommand, Vaultwarden's enforce_2fa_policy): every accepted or confirmed
 * membership the policy binds (not owners or admins) is revoked in the same transaction, and the user's clients
 * are told (SyncOrgKeys).
 */
@Injectable()
export class TwoFactorPolicyListener {
  constructor(
    private readonly policies: PoliciesQueryService,
    private readonly repo: PoliciesRepository,
    private readonly accountRevision: AccountRevisionService,
    private readonly bus: EventBus,
    private readonly clock: Clock,
  ) {}

  @OnDomainEvent('TwoFactorDisabled', { phase: 'inTransaction' })
  async onTwoFactorDisabled(event: DomainEventMap['TwoFactorDisabled'], tx: Tx): Promise<void> {
    const binding = (await this.policies.policiesApplyingTo(tx.manager, event.userId, PolicyType.TwoFactorAuthentication))
      .filter((d) => ACTIVE.includes(d.membershipStatus));
    if (binding.length === 0) return;
    const now = this.clock.now();
    await this.repo.revoke(tx.manager, binding.map((d) => d.membershipId), now);
    await this.accountRevision.bump(tx, [event.userId], now);
    for (const organizationId of new Set(binding.map((d) => d.organizationId))) {
      await this.bus.emit(tx, 'OrganizationKeysChanged', { organizationId, userIds: [event.userId], reason: 'revoked', actor: event.actor });
    }
  }
}
