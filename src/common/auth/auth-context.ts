import { Actor } from './actor';

/** Who is calling: resolved from a validated access token whose user, device and security stamp still hold. */
export interface AuthContext {
  userId: string;
  email: string;
  deviceId: string;
  /** Client app id (token `device` claim): the ContextId of this caller's changes. */
  deviceIdentifier: string;
  deviceType: number;
  securityStamp: string;
  actor: Actor;
}
