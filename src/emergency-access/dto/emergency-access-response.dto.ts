import { CipherResponseDto } from '../../ciphers/dto/cipher-response.dto';
import { toApiDate } from '../../common/time/clock';
import { EmergencyAccessEntity, EmergencyAccessStatus, EmergencyAccessType } from '../../db/entities/emergency-access.entity';

/** bitwarden/server EmergencyAccessResponseModel. */
export interface EmergencyAccessResponseDto {
  id: string;
  status: EmergencyAccessStatus;
  type: EmergencyAccessType;
  waitTimeDays: number;
  creationDate: string;
  object: 'emergencyAccess';
}

/** The other party of a grant, as the lists show it. */
export interface EmergencyAccessParty { id: string; name: string | null; email: string; avatarColor: string | null }

/** EmergencyAccessGranteeDetailsResponseModel: GET trusted, GET {id}. */
export interface EmergencyAccessGranteeDetailsResponseDto extends Omit<EmergencyAccessResponseDto, 'object'> {
  granteeId: string | null;
  name: string | null;
  email: string | null;
  avatarColor: string | null;
  object: 'emergencyAccessGranteeDetails';
}

/** EmergencyAccessGrantorDetailsResponseModel: GET granted. */
export interface EmergencyAccessGrantorDetailsResponseDto extends Omit<EmergencyAccessResponseDto, 'object'> {
  grantorId: string;
  name: string | null;
  email: string;
  avatarColor: string | null;
  object: 'emergencyAccessGrantorDetails';
}

/** EmergencyAccessTakeoverResponseModel: what the grantee needs to set a new master password. */
export interface EmergencyAccessTakeoverResponseDto {
  keyEncrypted: string | null;
  kdf: number;
  kdfIterations: number;
  kdfMemory: number | null;
  kdfParallelism: number | null;
  object: 'emergencyAccessTakeover';
}

/** EmergencyAccessViewResponseModel: the grantor's own items, and the key to open them. */
export interface EmergencyAccessViewResponseDto {
  keyEncrypted: string | null;
  ciphers: CipherResponseDto[];
  object: 'emergencyAccessView';
}

const base = (row: EmergencyAccessEntity): Omit<EmergencyAccessResponseDto, 'object'> => ({
  id: row.id, status: row.status, type: row.type, waitTimeDays: row.waitTimeDays, creationDate: toApiDate(row.creationDate),
});

export function toEmergencyAccessResponse(row: EmergencyAccessEntity): EmergencyAccessResponseDto {
  return { ...base(row), object: 'emergencyAccess' };
}

/** `grantee`: the account of the contact (accepted, or an invited address that has one), else null (only the address is known). */
export function toGranteeDetails(row: EmergencyAccessEntity, grantee: EmergencyAccessParty | null): EmergencyAccessGranteeDetailsResponseDto {
  return {
    ...base(row), granteeId: grantee?.id ?? null, name: grantee?.name ?? null, email: grantee?.email ?? row.email,
    avatarColor: grantee?.avatarColor ?? null, object: 'emergencyAccessGranteeDetails',
  };
}

export function toGrantorDetails(row: EmergencyAccessEntity, grantor: EmergencyAccessParty): EmergencyAccessGrantorDetailsResponseDto {
  return { ...base(row), grantorId: grantor.id, name: grantor.name, email: grantor.email, avatarColor: grantor.avatarColor, object: 'emergencyAccessGrantorDetails' };
}
