/** What decides whether a token's session still holds: the user's and the device's current state. */
export interface SessionRow {
  user: { id: string; email: string; enabled: boolean; securityStamp: string };
  device: { id: string; identifier: string; type: number; active: boolean } | null;
}

/**
 * The port through which the accounts feature gives authentication the session rows (common/ does not reach
 * into the database itself). Provided globally by accounts/sessions.module.ts.
 */
export abstract class SessionSource {
  abstract findSession(userId: string, deviceIdentifier: string): Promise<SessionRow | null>;
}
