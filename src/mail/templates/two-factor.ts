import { escapeHtml, htmlDocument, MailContext, RenderedMail, subjectLine, utcDate } from './html';

/** What an emailed two-step login code is for. */
export type TwoFactorCodePurpose = 'login' | 'setup' | 'verification';

/** A two-step login code: at login (provider 1), to set email two-step login up, or a one-time password for a protected action. */
export interface TwoFactorCodeParams {
  /** The code: part of the mail only, never of a log line. */
  code: string;
  purpose: TwoFactorCodePurpose;
  /** How long the code stays valid, in minutes. */
  validMinutes: number;
}

const INTRO: Record<TwoFactorCodePurpose, string> = {
  login: 'Your two-step login verification code is:',
  setup: 'Your code to set up two-step login by email is:',
  verification: 'Your verification code is:',
};

const SUBJECT: Record<TwoFactorCodePurpose, string> = {
  login: 'Your Two-step Login Verification Code',
  setup: 'Your Two-step Login Setup Code',
  verification: 'Your Verification Code',
};

export function twoFactorCodeMail(context: MailContext, params: TwoFactorCodeParams): RenderedMail {
  const warning = 'If you did not try to log in or change your settings, someone may know your master password: change it.';
  const text = [
    INTRO[params.purpose],
    '',
    params.code,
    '',
    `It is valid for ${params.validMinutes} minutes. Never share it with anyone.`,
    '',
    warning,
    '',
  ].join('\n');
  const body = [
    `<p>${escapeHtml(INTRO[params.purpose])}</p>`,
    `<p style="font-size:28px;font-weight:bold;letter-spacing:4px;">${escapeHtml(params.code)}</p>`,
    `<p>It is valid for ${escapeHtml(String(params.validMinutes))} minutes. Never share it with anyone.</p>`,
    `<p style="font-size:13px;color:#555;">${escapeHtml(warning)}</p>`,
  ].join('\n');
  const subject = subjectLine(`${context.productName}: ${SUBJECT[params.purpose]}`);
  return { subject, text, html: htmlDocument(context, subject, body) };
}

/** A login that passed the master password but not the second factor within INCOMPLETE_2FA_TIME_LIMIT (Vaultwarden's mail). */
export interface IncompleteTwoFactorLoginParams {
  ip: string;
  loginTime: Date;
  deviceName: string;
  /** The device type's name (e.g. "Linux CLI"). */
  deviceType: string;
  timeLimitMinutes: number;
}

export function incompleteTwoFactorLoginMail(context: MailContext, params: IncompleteTwoFactorLoginParams): RenderedMail {
  const when = utcDate(params.loginTime);
  const lines = [
    `Someone logged in to your account with your master password but did not complete two-step login within ${params.timeLimitMinutes} minutes.`,
    `Time: ${when}`,
    `IP address: ${params.ip}`,
    `Device: ${params.deviceName} (${params.deviceType})`,
  ];
  const advice = 'If this was not you, change your master password right away: someone knows it.';
  const text = [...lines, '', advice, ''].join('\n');
  const body = [
    `<p>${escapeHtml(lines[0]!)}</p>`,
    `<ul>${lines.slice(1).map((line) => `<li>${escapeHtml(line)}</li>`).join('')}</ul>`,
    `<p><strong>${escapeHtml(advice)}</strong></p>`,
  ].join('\n');
  const subject = subjectLine(`${context.productName}: Incomplete Two-Step Login From ${params.deviceName}`);
  return { subject, text, html: htmlDocument(context, subject, body) };
}
