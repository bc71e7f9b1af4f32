import { Inject, Injectable } from '@nestjs/common';
import { EmergencyAccessInvites } from '../accounts/emergency-access-invites';
import { normalizeEmail } from '../accounts/email';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.tokens';
import { EmergencyAccessStatus } from '../db/entities/emergency-access.entity';
import { UnitOfWork } from '../db/unit-of-work';
import { EmergencyAccessRepository } from './emergency-access.repository';
import { EmergencyInviteTokens } from './emergency-invite-tokens';

/**
 * Accounts' EmergencyAccessInvites port: registration with `acceptEmergencyAccessInviteToken` and
 * `acceptEmergencyAccessId` (Vaultwarden register). Valid when emergency access is on, the token is a valid
 * invitation for this grant and this address, and the grant still waits for that address (not deleted, not yet
 * accepted). The acceptance itself is EmergencyAccessService.onUserRegistered. No dependency on AccountsService
 * (which uses this port).
 */
@Injectable()
export class EmergencyRegistrationInvites implements EmergencyAccessInvites {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly uow: UnitOfWork,
    private readonly repo: EmergencyAccessRepository,
    private readonly inviteTokens: EmergencyInviteTokens,
  ) {}

  async isValid(token: string, invite: { emergencyAccessId: string; email: string }): Promise<boolean> {
    if (!this.config.emergencyAccess.allowed) return false;
    const claims = this.inviteTokens.decode(token);
    const email = normalizeEmail(invite.email);
    if (!claims || claims.emergencyAccessId !== invite.emergencyAccessId.toLowerCase() || claims.email !== email) return false;
    const row = await this.uow.read((db) => this.repo.findById(db, claims.emergencyAccessId));
    return row !== null && row.status === EmergencyAccessStatus.Invited && row.granteeId === null && row.email === email && row.grantorId === claims.grantorId;
  }
}
