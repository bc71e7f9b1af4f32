/** Who caused a change: the authenticated user and the device whose token made the request. */
export interface Actor {
  userId: string;
  deviceId: string | null;
  /** Device identifier (client app id): the ContextId of the change on the hub. */
  deviceIdentifier: string | null;
}
