/**
 * Limits of login with device (issue 12, "Abuse resistance"). Plain constants so that the push outbox can share
 * the pending window without depending on the auth-requests services.
 */

/** A request can be answered and used for this long after it was created (Bitwarden: 15 minutes). */
export const AUTH_REQUEST_TTL_MS = 15 * 60 * 1000;

/**
 * Pending (unanswered, unexpired) requests one account may have. A request from a device that already has a
 * pending one replaces it instead of counting twice; beyond the cap the answer is 400 {@link TOO_MANY_PENDING_MESSAGE}.
 */
export const MAX_PENDING_AUTH_REQUESTS = 5;

/** An answered (approved or denied) request stays readable this long after the answer, then the purge deletes it. */
export const AUTH_REQUEST_ANSWERED_RETENTION_MS = 5 * 60 * 1000;

/** The 400 message over the per-account cap; identical for an email without an account. */
export const TOO_MANY_PENDING_MESSAGE = 'Too many pending login requests for this account. Approve or deny them on a logged-in device, or try again in 15 minutes.';

/** An admin-approval request (type 2) can be answered this long after it was created (Bitwarden: 7 days). */
export const ADMIN_AUTH_REQUEST_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/** An approved admin-approval request stays usable this long after the approval (Bitwarden: 12 hours). */
export const ADMIN_AUTH_REQUEST_APPROVED_TTL_MS = 12 * 60 * 60 * 1000;
