import { classifyDeliveryError, failureHint, retryDelay } from './mail-retry';

const smtpError = (code: string, command: string, response: string): Error =>
  Object.assign(new Error(`${command} failed: ${response}`), { code, command, response, responseCode: Number(response.slice(0, 3)) });

describe('classifyDeliveryError', () => {
  it('a refused connection, a timeout, a 4xx answer, a refused login or sender are retried', () => {
    for (const error of [
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:25'), { code: 'ESOCKET', command: 'CONN' }),
      Object.assign(new Error('Greeting never received'), { code: 'ETIMEDOUT', command: 'CONN' }),
      smtpError('EENVELOPE', 'RCPT TO', '451 4.3.0 try again later'),
      smtpError('EMESSAGE', 'DATA', '452 4.3.1 insufficient storage'),
      smtpError('EAUTH', 'AUTH PLAIN', '535 5.7.8 authentication failed'),
      smtpError('EENVELOPE', 'MAIL FROM', '530 5.7.0 Must issue a STARTTLS command first'),
      new Error('something odd'),
    ]) {
      expect(classifyDeliveryError(error).kind).toBe('transient');
    }
  });

  it('a 5xx refusal of the recipient or of the message ends the mail', () => {
    expect(classifyDeliveryError(smtpError('EENVELOPE', 'RCPT TO', '550 5.1.1 no such user'))).toEqual({
      kind: 'permanent', code: 'EENVELOPE', responseCode: 550, command: 'RCPT TO', message: 'RCPT TO failed: 550 5.1.1 no such user',
    });
    expect(classifyDeliveryError(smtpError('EMESSAGE', 'DATA', '554 5.7.1 rejected as spam')).kind).toBe('permanent');
  });

  it('hints at the configuration for login, TLS, sender and reachability problems', () => {
    expect(failureHint(classifyDeliveryError(smtpError('EAUTH', 'AUTH PLAIN', '535 nope')))).toMatch(/SMTP_USERNAME, SMTP_PASSWORD/);
    expect(failureHint(classifyDeliveryError(Object.assign(new Error('self-signed certificate'), { code: 'ESOCKET' })))).toMatch(/SMTP_SECURITY/);
    expect(failureHint(classifyDeliveryError(smtpError('EENVELOPE', 'MAIL FROM', '553 sender rejected')))).toMatch(/SMTP_FROM/);
    expect(failureHint(classifyDeliveryError(Object.assign(new Error('x'), { code: 'ECONNECTION' })))).toMatch(/SMTP_HOST and SMTP_PORT/);
    expect(failureHint(classifyDeliveryError(smtpError('EENVELOPE', 'RCPT TO', '550 no')))).toBeNull();
  });
});

describe('retryDelay', () => {
  it('doubles from the base up to the cap, with ±20 % jitter', () => {
    const mid = (): number => 0.5;
    expect([1, 2, 3, 4, 10].map((n) => retryDelay(n, 1000, 10_000, mid))).toEqual([1000, 2000, 4000, 8000, 10_000]);
    expect(retryDelay(1, 1000, 10_000, () => 0)).toBe(800);
    expect(retryDelay(1, 1000, 10_000, () => 1)).toBe(1200);
    expect(retryDelay(50, 1000, 10_000, () => 1)).toBe(10_000);
  });
});
