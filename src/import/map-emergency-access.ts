import { EmergencyAccessEntity } from '../db/entities';
import { date, int, optDate, optStr, str, VwRow } from './vaultwarden-values';

/** Emergency access (Vaultwarden `emergency_access`: Vaultwave's table has its column names). */
export function mapEmergencyAccess(row: VwRow): EmergencyAccessEntity {
  return Object.assign(new EmergencyAccessEntity(), {
    id: str(row, 'uuid'),
    grantorId: str(row, 'grantor_uuid'),
    granteeId: optStr(row, 'grantee_uuid'),
    email: optStr(row, 'email')?.toLowerCase() ?? null,
    keyEncrypted: optStr(row, 'key_encrypted'),
    type: int(row, 'atype'),
    status: int(row, 'status'),
    waitTimeDays: int(row, 'wait_time_days'),
    recoveryInitiatedAt: optDate(row, 'recovery_initiated_at'),
    lastNotificationAt: optDate(row, 'last_notification_at'),
    creationDate: date(row, 'created_at'),
    revisionDate: date(row, 'updated_at'),
  });
}
