/**
 * What to do after a failed delivery: retry later (the server is down or busy, a 4xx answer, a timeout, a TLS or
 * login problem an operator can fix) or give up on this mail (the server refused the recipient or the message
 * with a 5xx answer: sending it again would be refused again).
 */
export interface DeliveryFailure {
  kind: 'transient' | 'permanent';
  /** nodemailer's error code (ECONNECTION, ETIMEDOUT, EAUTH, EENVELOPE, EMESSAGE, ESOCKET, …) or null. */
  code: string | null;
  /** SMTP reply code, when the server answered. */
  responseCode: number | null;
  /** The SMTP command that failed (CONN, AUTH PLAIN, MAIL FROM, RCPT TO, DATA, …) or null. */
  command: string | null;
  /** The error text: nodemailer's message with the server's reply. Never holds the password or the body. */
  message: string;
}

/** Commands whose 5xx answer concerns this message only: the recipients (RCPT TO) or the content (DATA). */
const PER_MESSAGE_COMMANDS = new Set(['RCPT TO', 'DATA']);

export function classifyDeliveryError(error: unknown): DeliveryFailure {
  const e = (typeof error === 'object' && error !== null ? error : {}) as { code?: unknown; responseCode?: unknown; command?: unknown; message?: unknown };
  const code = typeof e.code === 'string' ? e.code : null;
  const responseCode = typeof e.responseCode === 'number' ? e.responseCode : null;
  const command = typeof e.command === 'string' ? e.command : null;
  const message = (typeof e.message === 'string' ? e.message : String(error)).replace(/\s+/g, ' ').slice(0, 500);
  // A 5xx on the sender (MAIL FROM), the login or the connection is the server's configuration or ours, shared
  // by every mail: retried (with back-off) until it is fixed, never dropped.
  const permanent = responseCode !== null && responseCode >= 500 && command !== null && PER_MESSAGE_COMMANDS.has(command);
  return { kind: permanent ? 'permanent' : 'transient', code, responseCode, command, message };
}

/** Delay before attempt `failures + 1`: base doubled per failure, capped at `maxMs`, with ±20 % jitter. */
export function retryDelay(failures: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const exponent = Math.max(0, Math.min(failures - 1, 30));
  const plain = Math.min(baseMs * 2 ** exponent, maxMs);
  return Math.round(Math.min(plain * (0.8 + 0.4 * random()), maxMs));
}

/** A hint for the operator next to errors that mean "the configuration is wrong". */
export function failureHint(failure: DeliveryFailure): string | null {
  if (failure.code === 'EAUTH') return 'the SMTP server refused the login: check SMTP_USERNAME, SMTP_PASSWORD and SMTP_AUTH_MECHANISM';
  if (failure.code === 'ETLS' || /certificate|self[- ]signed|altnames|CERT_/i.test(failure.message)) {
    return 'TLS with the SMTP server failed: check SMTP_HOST, SMTP_SECURITY and SMTP_PORT (and the server certificate)';
  }
  if (failure.command === 'MAIL FROM' && failure.responseCode !== null && failure.responseCode >= 500) {
    return 'the SMTP server refused the sender: check SMTP_FROM, and whether the server requires authentication or STARTTLS';
  }
  const unreachable = /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN|ECONNRESET/.test(failure.message);
  if (failure.code === 'ECONNECTION' || failure.code === 'ETIMEDOUT' || failure.code === 'EDNS' || unreachable) return 'the SMTP server could not be reached: check SMTP_HOST and SMTP_PORT';
  return null;
}
