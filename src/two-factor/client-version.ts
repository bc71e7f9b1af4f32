/**
 * Whether the client (Bitwarden-Client-Version header, e.g. "2026.9.0") reads the two-factor bodies that
 * bitwarden/server nests since its 2026.7 refactor (`email: {enabled, email}`); unknown versions get the older,
 * flat shape that Vaultwarden also writes.
 */
export function readsNestedTwoFactorBodies(version: string | undefined): boolean {
  const match = /^(\d{4})\.(\d{1,2})\./.exec(version?.trim() ?? '');
  if (!match) return false;
  const [year, month] = [Number(match[1]), Number(match[2])];
  return year > 2026 || (year === 2026 && month >= 7);
}
