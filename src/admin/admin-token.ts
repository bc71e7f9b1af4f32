import argon2 from 'argon2';
import { sameText } from '../common/security/same-text';

/** Whether ADMIN_TOKEN is an Argon2 PHC string (what `vaultwarden hash` prints) rather than the token itself. */
export function isArgon2Phc(configured: string): boolean {
  return configured.startsWith('$argon2');
}

/**
 * Whether `given` is the admin token: against an Argon2 PHC string by Argon2 verification, against a plain token in
 * constant time (both trimmed, as Vaultwarden compares). Never throws; a malformed PHC string matches nothing.
 */
export async function verifyAdminToken(configured: string, given: string): Promise<boolean> {
  const token = given.trim();
  if (token.length === 0 || token.length > 1024) return false;
  if (isArgon2Phc(configured)) {
    try {
      return await argon2.verify(configured.trim(), token);
    } catch {
      return false;
    }
  }
  return sameText(configured.trim(), token);
}
