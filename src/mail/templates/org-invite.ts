import { escapeHtml, htmlButton, htmlDocument, MailContext, RenderedMail, subjectLine, utcDate, webVaultLink } from './html';

/** An invitation to join an organization, with the web vault's accept link. */
export interface OrgInviteParams {
  organizationId: string;
  /** The member id (OrganizationUser id) the invitation is for. */
  organizationUserId: string;
  /** The invited address (also the recipient). */
  email: string;
  organizationName: string;
  /** The accept token (a signed JWT): part of the link only, never of a log line. */
  token: string;
  /** Whether the address already has an account here: the web vault then offers to log in rather than register. */
  existingUser: boolean;
  /** When the token expires. */
  expiresAt: Date;
}

/**
 * The accept link the web vault's accept-organization page reads: the query of bitwarden/server's
 * OrganizationUserInvitedViewModel (organizationId, organizationUserId, email, organizationName, token,
 * initOrganization, orgUserHasExistingUser; booleans as .NET writes them), under `{DOMAIN}/#/`.
 */
export function orgInviteLink(context: MailContext, params: OrgInviteParams): string {
  return webVaultLink(context, 'accept-organization', [
    ['organizationId', params.organizationId],
    ['organizationUserId', params.organizationUserId],
    ['email', params.email],
    ['organizationName', params.organizationName],
    ['token', params.token],
    ['initOrganization', 'False'],
    ['orgUserHasExistingUser', params.existingUser ? 'True' : 'False'],
  ]);
}

export function orgInviteMail(context: MailContext, params: OrgInviteParams): RenderedMail {
  const link = orgInviteLink(context, params);
  const until = utcDate(params.expiresAt);
  const org = params.organizationName;
  const action = params.existingUser ? 'Log in to accept the invitation' : 'Create your account to accept the invitation';
  const text = [
    `You have been invited to join the ${org} organization on ${context.productName} (${context.publicUrl}).`,
    '',
    `${action}:`,
    link,
    '',
    `This invitation is valid until ${until}. If you do not wish to join this organization, you can safely ignore this email.`,
    '',
  ].join('\n');
  const body = [
    `<p>You have been invited to join the <strong>${escapeHtml(org)}</strong> organization on ${escapeHtml(context.productName)}.</p>`,
    `<p>${escapeHtml(action)}:</p>`,
    `<p>${htmlButton(link, 'Join organization')}</p>`,
    `<p style="font-size:13px;color:#555;">Or open this link: <a href="${escapeHtml(link)}" style="color:#175ddc;word-break:break-all;">${escapeHtml(link)}</a></p>`,
    `<p style="font-size:13px;color:#555;">This invitation is valid until ${escapeHtml(until)}. If you do not wish to join this organization, you can safely ignore this email.</p>`,
  ].join('\n');
  const subject = subjectLine(`Join ${org}`);
  return { subject, text, html: htmlDocument(context, subject, body) };
}
