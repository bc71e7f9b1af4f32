/**
 * The port through which registration checks an emergency access invitation token (`acceptEmergencyAccessInviteToken`
 * with `acceptEmergencyAccessId`): a valid one lets the address register even when signups are closed, counts as a
 * verified email, and the invitation is accepted with the registration (UserRegistered's `emergencyAccessId`).
 * Provided by emergency-access/emergency-access.module.ts (accounts does not depend on emergency access).
 */
export abstract class EmergencyAccessInvites {
  abstract isValid(token: string, invite: { emergencyAccessId: string; email: string }): Promise<boolean>;
}
