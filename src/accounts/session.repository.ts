import { Injectable } from '@nestjs/common';
import { SessionRow, SessionSource } from '../common/auth/session-source';
import { rawQuery, sqlBoolean } from '../db/raw-sql';
import { UnitOfWork } from '../db/unit-of-work';

interface SessionSqlRow {
  user_id: string; email: string; enabled: unknown; security_stamp: string;
  device_id: string | null; identifier: string | null; device_type: number | null; active: unknown;
}

/** The user and, when the token's device still exists, that device: one query per authenticated request. */
const SESSION_SQL = `SELECT u.id AS user_id, u.email AS email, u.enabled AS enabled, u.security_stamp AS security_stamp,
  d.id AS device_id, d.identifier AS identifier, d.type AS device_type, d.active AS active
  FROM users u LEFT JOIN devices d ON d.user_id = u.id AND d.identifier = $2
  WHERE u.id = $1`;

/** The rows that decide whether a token's session still holds (the SessionSource port of common/auth). */
@Injectable()
export class SessionRepository extends SessionSource {
  constructor(private readonly uow: UnitOfWork) {
    super();
  }

  findSession(userId: string, deviceIdentifier: string): Promise<SessionRow | null> {
    return this.uow.read(async (db) => {
      const [row] = await rawQuery<SessionSqlRow>(db, SESSION_SQL, [userId, deviceIdentifier]);
      if (!row) return null;
      return {
        user: { id: row.user_id, email: row.email, enabled: sqlBoolean(row.enabled), securityStamp: row.security_stamp },
        device: row.device_id === null
          ? null
          : { id: row.device_id, identifier: row.identifier ?? deviceIdentifier, type: Number(row.device_type), active: sqlBoolean(row.active) },
      };
    });
  }
}
