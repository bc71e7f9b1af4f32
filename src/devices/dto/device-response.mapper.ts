import { toApiDate } from '../../common/time/clock';
import { DeviceEntity } from '../../db/entities';
import { DeviceResponseDto } from './device-response.dto';

export function toDeviceResponse(device: DeviceEntity): DeviceResponseDto {
  return {
    id: device.id,
    name: device.name,
    type: device.type,
    identifier: device.identifier,
    creationDate: toApiDate(device.creationDate),
    revisionDate: toApiDate(device.revisionDate),
    isTrusted: false,
    encryptedUserKey: null,
    encryptedPublicKey: null,
    devicePendingAuthRequest: null,
    object: 'device',
  };
}
