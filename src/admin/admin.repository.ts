import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { rawQuery, sqlBoolean } from '../db/raw-sql';

export interface AdminUserRow { id: string; email: string; name: string | null; enabled: boolean; emailVerified: boolean; creationDate: string; revisionDate: string }
export interface AdminDeviceRow { id: string; userId: string; identifier: string; name: string; type: number; lastUsed: string | null; creationDate: string }

/** The admin panel's reads over users and their devices (each action goes through the owning feature's service). */
@Injectable()
export class AdminRepository {
  async users(db: EntityManager, where: { id?: string; email?: string } = {}): Promise<AdminUserRow[]> {
    const filter = where.id ? 'WHERE u.id = $1' : where.email ? 'WHERE u.email = $1' : '';
    const rows = await rawQuery<{ id: string; email: string; name: string | null; enabled: unknown; email_verified: unknown; creation_date: string; revision_date: string }>(db,
      `SELECT u.id AS id, u.email AS email, u.name AS name, u.enabled AS enabled, u.email_verified AS email_verified, u.creation_date AS creation_date,
        u.revision_date AS revision_date FROM users u ${filter} ORDER BY u.creation_date, u.id`, where.id ? [where.id] : where.email ? [where.email] : []);
    return rows.map((r) => ({ id: r.id, email: r.email, name: r.name, enabled: sqlBoolean(r.enabled), emailVerified: sqlBoolean(r.email_verified), creationDate: r.creation_date, revisionDate: r.revision_date }));
  }

  async devicesOf(db: EntityManager, userIds: string[]): Promise<AdminDeviceRow[]> {
    const out: AdminDeviceRow[] = [];
    for (let i = 0; i < userIds.length; i += 500) {
      const part = userIds.slice(i, i + 500);
      const rows = await rawQuery<{ id: string; user_id: string; identifier: string; name: string; type: unknown; last_used: string | null; creation_date: string }>(db,
        `SELECT d.id AS id, d.user_id AS user_id, d.identifier AS identifier, d.name AS name, d.type AS type, d.refresh_token_last_used_at AS last_used,
          d.creation_date AS creation_date FROM devices d WHERE d.user_id IN (${part.map((_, n) => `$${n + 1}`).join(', ')}) ORDER BY d.creation_date, d.id`, part);
      out.push(...rows.map((r) => ({ id: r.id, userId: r.user_id, identifier: r.identifier, name: r.name, type: Number(r.type), lastUsed: r.last_used, creationDate: r.creation_date })));
    }
    return out;
  }
}
