/** A device of GET /api/devices and GET /api/devices/identifier/{identifier} (bitwarden/server DeviceResponseModel). */
export interface DeviceResponseDto {
  id: string;
  name: string;
  type: number;
  identifier: string;
  creationDate: string;
  revisionDate: string;
  isTrusted: boolean;
  encryptedUserKey: null;
  encryptedPublicKey: null;
  devicePendingAuthRequest: null;
  object: 'device';
}
