import { Injectable, Optional } from '@nestjs/common';
import { AccountsService } from '../accounts/accounts.service';
import { TwoFactorStatus } from '../accounts/two-factor-status';
import { ErrorCode } from '../common/errors/error-code';
import { VaultError } from '../common/errors/vault-error';
import { LiveSockets } from '../common/live-sockets';
import { EntityManager } from 'typeorm';
import { UnitOfWork } from '../db/unit-of-work';
import { OrganizationsService } from '../organizations/organizations.service';
import { TwoFactorService } from '../two-factor/two-factor.service';
import { AdminRepository } from './admin.repository';

export interface AdminDevice { id: string; identifier: string; name: string; type: number; lastUsed: string | null; liveSockets: number }

/** A user as the admin panel lists them (`/admin/users`): Vaultwarden's keys where it has them, and the devices with their live sockets. */
export interface AdminUser {
  id: string; email: string; name: string | null; emailVerified: boolean; twoFactorEnabled: boolean; userEnabled: boolean;
  createdAt: string; lastActive: string | null; devices: AdminDevice[]; liveSockets: number;
}

/**
 * What the admin panel shows and does about accounts and organizations. Reads are one query each whatever the
 * number of users; every action goes through the feature that owns the data (accounts, two-step login,
 * organizations), so the same events, revision dates and file removals follow as for the owner's own actions.
 */
@Injectable()
export class AdminUsersService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly repo: AdminRepository,
    private readonly accounts: AccountsService,
    private readonly twoFactorStatus: TwoFactorStatus,
    private readonly twoFactor: TwoFactorService,
    private readonly organizations: OrganizationsService,
    /** Absent with ENABLE_WEBSOCKET=false: no sockets to count. */
    @Optional() private readonly sockets?: LiveSockets,
  ) {}

  list(): Promise<AdminUser[]> {
    return this.uow.read((db) => this.describe(db, {}));
  }

  async get(id: string): Promise<AdminUser> {
    return this.one({ id: id.toLowerCase() });
  }

  async byEmail(email: string): Promise<AdminUser> {
    return this.one({ email: email.trim().toLowerCase() });
  }

  private async one(where: { id: string } | { email: string }): Promise<AdminUser> {
    const value = 'id' in where ? where.id : where.email;
    const [user] = value ? await this.uow.read((db) => this.describe(db, where)) : [];
    if (!user) throw new VaultError(ErrorCode.UserNotFound);
    return user;
  }

  /** The users `where` selects (all when empty), each with its devices and their live sockets: three queries in all. */
  private async describe(db: EntityManager, where: { id?: string; email?: string }): Promise<AdminUser[]> {
    const users = await this.repo.users(db, where);
    const ids = users.map((u) => u.id);
    const [devices, twoFactor] = [await this.repo.devicesOf(db, ids), await this.twoFactorStatus.enabledAmong(db, ids)];
    const live = this.sockets?.countByDevice(devices.map((d) => d.id)) ?? new Map<string, number>();
    const byUser = new Map<string, AdminDevice[]>();
    for (const d of devices) {
      byUser.set(d.userId, [...(byUser.get(d.userId) ?? []), { id: d.id, identifier: d.identifier, name: d.name, type: d.type, lastUsed: d.lastUsed, liveSockets: live.get(d.id) ?? 0 }]);
    }
    return users.map((u) => {
      const own = byUser.get(u.id) ?? [];
      const lastActive = own.map((d) => d.lastUsed).filter((v): v is string => v !== null).sort().at(-1) ?? null;
      return {
        id: u.id, email: u.email, name: u.name, emailVerified: u.emailVerified, twoFactorEnabled: twoFactor.has(u.id), userEnabled: u.enabled,
        createdAt: u.creationDate, lastActive, devices: own, liveSockets: own.reduce((n, d) => n + d.liveSockets, 0),
      };
    });
  }

  invite(email: string, resend: boolean): Promise<void> {
    return this.accounts.inviteByAdmin(email, resend);
  }

  invitations(): Promise<Array<{ email: string; invitedAt: Date }>> {
    return this.accounts.invitationsPending();
  }

  deauthorize(id: string): Promise<void> {
    return this.accounts.deauthorizeByAdmin(id);
  }

  setEnabled(id: string, enabled: boolean): Promise<void> {
    return this.accounts.setEnabledByAdmin(id, enabled);
  }

  delete(id: string): Promise<void> {
    return this.accounts.deleteWithoutPassword(id);
  }

  async removeTwoFactor(id: string): Promise<void> {
    await this.uow.run(async (tx) => {
      if ((await this.repo.users(tx.manager, { id })).length === 0) throw new VaultError(ErrorCode.UserNotFound);
      await this.twoFactor.recoverIn(tx, id, null);
    });
  }

  organizationsOverview(): ReturnType<OrganizationsService['overview']> {
    return this.organizations.overview();
  }

  deleteOrganization(id: string): Promise<void> {
    return this.organizations.deleteByAdmin(id);
  }
}
