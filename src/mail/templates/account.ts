import { escapeHtml, htmlButton, htmlDocument, MailContext, RenderedMail, subjectLine, utcDate, webVaultLink } from './html';

/** The text and HTML of a mail whose body is a few paragraphs and, optionally, one link. */
function paragraphsMail(context: MailContext, subject: string, paragraphs: string[], link?: { href: string; label: string; after?: string[] }): RenderedMail {
  const after = link?.after ?? [];
  const text = [...paragraphs.flatMap((p) => [p, '']), ...(link ? [`${link.label}: ${link.href}`, ''] : []), ...after.flatMap((p) => [p, ''])].join('\n');
  const body = [
    ...paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`),
    ...(link ? [
      `<p>${htmlButton(link.href, link.label)}</p>`,
      `<p style="font-size:13px;color:#555;">Or open this link: <a href="${escapeHtml(link.href)}" style="color:#175ddc;word-break:break-all;">${escapeHtml(link.href)}</a></p>`,
    ] : []),
    ...after.map((p) => `<p style="font-size:13px;color:#555;">${escapeHtml(p)}</p>`),
  ].join('\n');
  const line = subjectLine(subject);
  return { subject: line, text, html: htmlDocument(context, line, body) };
}

/** Verification of an existing account's address (Vaultwarden's verify_email / welcome_must_verify). */
export interface VerifyEmailParams {
  userId: string;
  /** The signed verification token: part of the link only, never of a log line. */
  token: string;
  /** The mail sent at registration (a welcome) rather than on request or at a refused login. */
  welcome: boolean;
}

/** The web vault's verify-email page, which posts userId and token to /api/accounts/verify-email-token. */
export function verifyEmailLink(context: MailContext, params: VerifyEmailParams): string {
  return webVaultLink(context, 'verify-email', [['userId', params.userId], ['token', params.token]]);
}

export function verifyEmailMail(context: MailContext, params: VerifyEmailParams): RenderedMail {
  const intro = params.welcome
    ? [`Welcome to ${context.productName}! Before you log in, verify the email address of your account by opening the link below.`]
    : ['Verify the email address of your account by opening the link below.'];
  return paragraphsMail(context, params.welcome ? `Welcome to ${context.productName}` : 'Verify Your Email', intro, {
    href: verifyEmailLink(context, params), label: 'Verify email address now',
    after: ['If you did not ask to verify this address, you can safely ignore this email.'],
  });
}

/** The first step of the official registration flow: a link to the web vault's finish-signup page. */
export interface RegisterVerifyEmailParams {
  email: string;
  /** The signed registration token: part of the link only, never of a log line. */
  token: string;
}

/** `{DOMAIN}/#/finish-signup?email=…&token=…&fromEmail=true`, as bitwarden/server links it (the page then calls verification-email-clicked). */
export function registerVerifyEmailLink(context: MailContext, params: RegisterVerifyEmailParams): string {
  return webVaultLink(context, 'finish-signup', [['email', params.email], ['token', params.token], ['fromEmail', 'true']]);
}

export function registerVerifyEmailMail(context: MailContext, params: RegisterVerifyEmailParams): RenderedMail {
  return paragraphsMail(context, 'Verify Your Email', ['Verify this email address to finish creating your account by opening the link below.'], {
    href: registerVerifyEmailLink(context, params), label: 'Verify email address now',
    after: ['If you did not ask to create an account, you can safely ignore this email.'],
  });
}

/** A login from a device the account had not used before (Vaultwarden's new_device_logged_in: date, IP, device name and type). */
export interface NewDeviceLoginParams {
  loginTime: Date;
  ip: string;
  deviceName: string;
  /** The device type's name (e.g. "Linux CLI"). */
  deviceType: string;
}

export function newDeviceLoginMail(context: MailContext, params: NewDeviceLoginParams): RenderedMail {
  const name = params.deviceName.charAt(0).toUpperCase() + params.deviceName.slice(1);
  const lines = [`Date: ${utcDate(params.loginTime)}`, `IP address: ${params.ip}`, `Device name: ${name}`, `Device type: ${params.deviceType}`];
  const advice = `If this was not you, log out all sessions in the web vault (${context.publicUrl}) under Settings > My account > Deauthorize sessions, and change your master password.`;
  const intro = 'Your account was just logged into from a new device.';
  const text = [intro, '', ...lines.map((line) => `* ${line}`), '', advice, ''].join('\n');
  const body = [
    `<p>${escapeHtml(intro)}</p>`,
    `<ul>${lines.map((line) => `<li>${escapeHtml(line)}</li>`).join('')}</ul>`,
    `<p>${escapeHtml(advice)}</p>`,
  ].join('\n');
  const subject = subjectLine(`New Device Logged In From ${name}`);
  return { subject, text, html: htmlDocument(context, subject, body) };
}

/** The code that confirms a change of the account's email, sent to the new address. */
export interface ChangeEmailParams {
  /** The code: part of the mail only, never of a log line. */
  code: string;
  validMinutes: number;
}

export function changeEmailMail(context: MailContext, params: ChangeEmailParams): RenderedMail {
  const intro = 'To finish changing the email address of your account, enter this code in the web vault:';
  const note = `It is valid for ${params.validMinutes} minutes. If you did not try to change your email address, contact your administrator.`;
  const text = [intro, '', params.code, '', note, ''].join('\n');
  const body = [
    `<p>${escapeHtml(intro)}</p>`,
    `<p style="font-size:28px;font-weight:bold;letter-spacing:4px;">${escapeHtml(params.code)}</p>`,
    `<p style="font-size:13px;color:#555;">${escapeHtml(note)}</p>`,
  ].join('\n');
  const subject = subjectLine('Your Email Change');
  return { subject, text, html: htmlDocument(context, subject, body) };
}

/** The admin panel's invitation to create an account (Vaultwarden's send_invite without an organization). */
export interface UserInviteParams { email: string }

export function userInviteMail(context: MailContext, params: UserInviteParams): RenderedMail {
  return paragraphsMail(context, 'Join Vaultwave', [`You have been invited to create an account on ${context.publicUrl} with this email address.`], {
    href: webVaultLink(context, 'register', [['email', params.email]]), label: 'Create your account',
    after: ['If you did not expect this invitation, you can safely ignore this email.'],
  });
}

/** The master password hint, mailed on request (Vaultwarden's password_hint); null: the account has none. */
export interface PasswordHintParams {
  /** The hint as stored: part of the mail only, never of a log line. */
  hint: string | null;
}

export function passwordHintMail(context: MailContext, params: PasswordHintParams): RenderedMail {
  const paragraphs = params.hint
    ? ['You (or someone) asked for the master password hint of your account. Your hint is:', params.hint]
    : ['You (or someone) asked for the master password hint of your account, but it has no hint.'];
  return paragraphsMail(context, 'Your Master Password Hint', [
    ...paragraphs,
    `Log in to the web vault at ${context.publicUrl}. If you did not ask for your hint, you can safely ignore this email.`,
  ]);
}

/** Deletion of an account whose owner cannot log in (Vaultwarden's delete_account: the link confirms it). */
export interface DeleteAccountParams {
  userId: string;
  email: string;
  /** The signed deletion token: part of the link only, never of a log line. */
  token: string;
}

/** The web vault's verify-recover-delete page, which posts userId and token to /api/accounts/delete-recover-token. */
export function deleteAccountLink(context: MailContext, params: DeleteAccountParams): string {
  return webVaultLink(context, 'verify-recover-delete', [['userId', params.userId], ['token', params.token], ['email', params.email]]);
}

export function deleteAccountMail(context: MailContext, params: DeleteAccountParams): RenderedMail {
  return paragraphsMail(context, 'Delete Your Account', [
    'You (or someone) asked to delete your account. Opening the link below and confirming deletes the account and every item in it; this cannot be undone.',
  ], {
    href: deleteAccountLink(context, params), label: 'Delete your account',
    after: ['If you did not ask to delete your account, ignore this email: nothing happens without the link.'],
  });
}
