/** A login-with-device request as /api/auth-requests returns it (bitwarden/server AuthRequestResponseModel). */
export interface AuthRequestResponseDto {
  id: string;
  publicKey: string;
  /** The device type's name (`DeviceType` enum member), e.g. `ChromeBrowser`. */
  requestDeviceType: string;
  requestDeviceTypeValue: number;
  requestDeviceIdentifier: string;
  requestIpAddress: string;
  requestCountryName: null;
  /** The user key encrypted to the request's public key; only once approved. */
  key: string | null;
  masterPasswordHash: string | null;
  creationDate: string;
  responseDate: string | null;
  requestApproved: boolean;
  origin: string;
  object: 'auth-request';
}
