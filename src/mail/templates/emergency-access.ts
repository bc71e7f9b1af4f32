import { escapeHtml, htmlButton, htmlDocument, MailContext, RenderedMail, subjectLine, utcDate, webVaultLink } from './html';

/** The two kinds of emergency access, as the mails name them. */
export type EmergencyAccessKind = 'View' | 'Takeover';

/** To the invited address: a grantor names it as a trusted emergency contact. */
export interface EmergencyAccessInviteParams {
  /** The emergency access id. */
  emergencyAccessId: string;
  /** The invited address (also the recipient). */
  email: string;
  /** The grantor's name (or address when they have none). */
  grantorName: string;
  /** The accept token (a signed JWT): part of the link only, never of a log line. */
  token: string;
  /** When the token expires. */
  expiresAt: Date;
}

export interface EmergencyAccessAcceptedParams { granteeEmail: string }
export interface EmergencyAccessConfirmedParams { grantorName: string }
export interface EmergencyAccessRecoveryParams { granteeName: string; kind: EmergencyAccessKind; waitTimeDays: number }
export interface EmergencyAccessAnsweredParams { grantorName: string }
export interface EmergencyAccessTimedOutParams { granteeName: string; kind: EmergencyAccessKind }

/**
 * The accept link the web vault's accept-emergency page reads: the query of bitwarden/server's
 * EmergencyAccessInvited mail (id, name, email, token), under `{DOMAIN}/#/`.
 */
export function emergencyAccessInviteLink(context: MailContext, params: EmergencyAccessInviteParams): string {
  return webVaultLink(context, 'accept-emergency', [
    ['id', params.emergencyAccessId],
    ['name', params.grantorName],
    ['email', params.email],
    ['token', params.token],
  ]);
}

/** The web vault's Emergency access page (Settings), where every later step is taken. */
const settingsLink = (context: MailContext): string => webVaultLink(context, 'settings/emergency-access', []);

/** One paragraph and an optional button, in text and HTML, from plain values (escaped here). */
function simpleMail(context: MailContext, subject: string, lines: string[], button: { href: string; label: string } | null): RenderedMail {
  const text = [...lines.flatMap((line) => [line, '']), ...(button ? [`${button.label}: ${button.href}`, ''] : [])].join('\n');
  const body = [
    ...lines.map((line) => `<p>${escapeHtml(line)}</p>`),
    ...(button ? [`<p>${htmlButton(button.href, button.label)}</p>`] : []),
  ].join('\n');
  const line = subjectLine(subject);
  return { subject: line, text, html: htmlDocument(context, line, body) };
}

const days = (n: number): string => `${n} day${n === 1 ? '' : 's'}`;
const what = (kind: EmergencyAccessKind): string => (kind === 'View' ? 'view' : 'take over');

export function emergencyAccessInviteMail(context: MailContext, params: EmergencyAccessInviteParams): RenderedMail {
  const link = emergencyAccessInviteLink(context, params);
  const until = utcDate(params.expiresAt);
  const name = params.grantorName;
  const text = [
    `${name} has invited you to become one of their emergency contacts on ${context.productName} (${context.publicUrl}).`,
    '',
    'Log in, or create your account, to accept the invitation:',
    link,
    '',
    `This invitation is valid until ${until}. If you do not know ${name}, you can safely ignore this email.`,
    '',
  ].join('\n');
  const body = [
    `<p><strong>${escapeHtml(name)}</strong> has invited you to become one of their emergency contacts on ${escapeHtml(context.productName)}.</p>`,
    '<p>Log in, or create your account, to accept the invitation:</p>',
    `<p>${htmlButton(link, 'Become emergency contact')}</p>`,
    `<p style="font-size:13px;color:#555;">Or open this link: <a href="${escapeHtml(link)}" style="color:#175ddc;word-break:break-all;">${escapeHtml(link)}</a></p>`,
    `<p style="font-size:13px;color:#555;">This invitation is valid until ${escapeHtml(until)}. If you do not know ${escapeHtml(name)}, you can safely ignore this email.</p>`,
  ].join('\n');
  const subject = subjectLine(`Emergency access contact invited by ${name}`);
  return { subject, text, html: htmlDocument(context, subject, body) };
}

/** To the grantor: the invited contact accepted and waits to be confirmed. */
export function emergencyAccessAcceptedMail(context: MailContext, params: EmergencyAccessAcceptedParams): RenderedMail {
  return simpleMail(context, 'Accepted Emergency Access', [
    `${params.granteeEmail} has accepted your invitation to become an emergency contact. Confirm them to complete the set-up.`,
  ], { href: settingsLink(context), label: 'Confirm emergency contact' });
}

/** To the grantee: the grantor confirmed them. */
export function emergencyAccessConfirmedMail(context: MailContext, params: EmergencyAccessConfirmedParams): RenderedMail {
  return simpleMail(context, 'You Have Been Confirmed as Emergency Access Contact', [
    `${params.grantorName} has confirmed you as an emergency contact. You can now ask for emergency access to their vault from the Emergency access page.`,
  ], { href: settingsLink(context), label: 'Emergency access' });
}

/** To the grantor: a contact asked for access; it is granted after the wait time unless rejected. */
export function emergencyAccessRecoveryInitiatedMail(context: MailContext, params: EmergencyAccessRecoveryParams): RenderedMail {
  return simpleMail(context, 'Emergency Access Initiated', [
    `${params.granteeName} has asked for emergency access to ${what(params.kind)} your vault.`,
    `Access will be granted automatically in ${days(params.waitTimeDays)} unless you approve or reject the request before then.`,
  ], { href: settingsLink(context), label: 'Review the request' });
}

/** To the grantee: the grantor approved the request. */
export function emergencyAccessRecoveryApprovedMail(context: MailContext, params: EmergencyAccessAnsweredParams): RenderedMail {
  return simpleMail(context, 'Emergency Access Approved', [
    `Your request for emergency access to the vault of ${params.grantorName} has been approved.`,
  ], { href: settingsLink(context), label: 'Emergency access' });
}

/** To the grantee: the grantor rejected the request. */
export function emergencyAccessRecoveryRejectedMail(context: MailContext, params: EmergencyAccessAnsweredParams): RenderedMail {
  return simpleMail(context, 'Emergency Access Rejected', [
    `Your request for emergency access to the vault of ${params.grantorName} has been rejected.`,
  ], null);
}

/** To the grantor, at most once a day while a request waits: the day before access is granted. */
export function emergencyAccessRecoveryReminderMail(context: MailContext, params: EmergencyAccessRecoveryParams): RenderedMail {
  return simpleMail(context, 'Pending Emergency Access Request', [
    `${params.granteeName} has a pending request for emergency access to ${what(params.kind)} your vault.`,
    `Access will be granted automatically in ${days(params.waitTimeDays)} unless you approve or reject the request before then.`,
  ], { href: settingsLink(context), label: 'Review the request' });
}

/** To the grantor: the wait time passed and the request was approved automatically. */
export function emergencyAccessRecoveryTimedOutMail(context: MailContext, params: EmergencyAccessTimedOutParams): RenderedMail {
  return simpleMail(context, 'Emergency Access Granted', [
    `The wait time of the emergency access request of ${params.granteeName} has passed: they may now ${what(params.kind)} your vault.`,
    'If you did not expect this, remove the contact from the Emergency access page and change your master password.',
  ], { href: settingsLink(context), label: 'Emergency access' });
}
