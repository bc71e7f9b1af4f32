import { deviceTypeName } from '../../common/auth/device-type';
import { toApiDate } from '../../common/time/clock';
import { AuthRequestEntity } from '../../db/entities';
import { AuthRequestResponseDto } from './auth-request-response.dto';

export function toAuthRequestResponse(request: AuthRequestEntity, origin: string): AuthRequestResponseDto {
  return {
    id: request.id,
    publicKey: request.publicKey,
    requestDeviceType: deviceTypeName(request.requestDeviceType),
    requestDeviceTypeValue: request.requestDeviceType,
    requestDeviceIdentifier: request.requestDeviceIdentifier,
    requestIpAddress: request.requestIp,
    requestCountryName: null,
    key: request.approved ? request.encKey : null,
    masterPasswordHash: request.approved ? request.masterPasswordHash : null,
    creationDate: toApiDate(request.creationDate),
    responseDate: toApiDate(request.responseDate),
    requestApproved: request.approved === true,
    origin,
    object: 'auth-request',
  };
}
