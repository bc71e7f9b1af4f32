/** Clients trim and lower-case the email before using it as login name and KDF salt; so does the server. */
export const normalizeEmail = (email: string): string => email.trim().toLowerCase();
