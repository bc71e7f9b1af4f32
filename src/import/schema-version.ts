/**
 * The Vaultwarden schema versions this importer understands: the newest entry of __diesel_schema_migrations of
 * the releases it was written against: 20260505120000 (1.37.0 to 1.37.2) and 20260425120000 (1.36.x, which differs
 * only in the sso_auth table, logins in flight that are not imported). Anything else is refused before a row is
 * read, because a column may have changed meaning.
 */
export const KNOWN_SCHEMA_VERSIONS: readonly string[] = ['20260505120000', '20260425120000'];

export class UnknownSchemaVersionError extends Error {
  constructor(readonly found: string | null) {
    super(`Unknown Vaultwarden schema version ${found ?? '(none: __diesel_schema_migrations is empty)'}; this importer understands ${KNOWN_SCHEMA_VERSIONS.join(', ')} (Vaultwarden 1.36.x and 1.37.x). Upgrade Vaultwarden to 1.37.x, start it once, stop it, and import again.`);
  }
}

/** The highest applied version (numerically: diesel versions are digits of varying length). */
export function highestVersion(versions: readonly string[]): string | null {
  const digits = versions.map((v) => v.replace(/\D/g, '')).filter((v) => v.length > 0);
  if (digits.length === 0) return null;
  return digits.reduce((best, v) => (BigInt(v.padEnd(14, '0')) > BigInt(best.padEnd(14, '0')) ? v : best));
}

/** Returns the version when known; throws UnknownSchemaVersionError naming it otherwise. */
export function checkSchemaVersion(versions: readonly string[]): string {
  const highest = highestVersion(versions);
  if (highest === null || !KNOWN_SCHEMA_VERSIONS.includes(highest)) throw new UnknownSchemaVersionError(highest);
  return highest;
}
