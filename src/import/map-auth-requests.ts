import { createHash } from 'node:crypto';
import { AuthRequestEntity } from '../db/entities';
import { date, int, optBool, optDate, optStr, str, VwRow } from './vaultwarden-values';

/** AuthRequestType.AuthenticateAndUnlock: the only kind Vaultwarden creates. */
const AUTHENTICATE_AND_UNLOCK = 0;

/** Whether a "log in with device" request is still waiting for an answer (the only ones worth carrying over). */
export const isPendingAuthRequest = (row: VwRow): boolean => optBool(row, 'approved') === null;

/** Pending auth requests (Vaultwarden `auth_requests`): Vaultwave keeps the access code as its SHA-256 (hex). */
export function mapAuthRequest(row: VwRow): AuthRequestEntity {
  return Object.assign(new AuthRequestEntity(), {
    id: str(row, 'uuid'),
    userId: str(row, 'user_uuid'),
    type: AUTHENTICATE_AND_UNLOCK,
    // Vaultwarden never sets organization_uuid (it has no admin-approval requests).
    organizationId: null,
    requestDeviceIdentifier: str(row, 'request_device_identifier').slice(0, 64),
    requestDeviceType: int(row, 'device_type'),
    requestIp: str(row, 'request_ip').slice(0, 64),
    accessCodeHash: createHash('sha256').update(str(row, 'access_code'), 'utf8').digest('hex'),
    publicKey: str(row, 'public_key'),
    encKey: optStr(row, 'enc_key'),
    masterPasswordHash: optStr(row, 'master_password_hash'),
    approved: null,
    responseDeviceId: optStr(row, 'response_device_id'),
    creationDate: date(row, 'creation_date'),
    responseDate: optDate(row, 'response_date'),
    authenticationDate: optDate(row, 'authentication_date'),
  });
}
