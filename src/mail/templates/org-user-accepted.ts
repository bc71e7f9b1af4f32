import { escapeHtml, htmlButton, htmlDocument, MailContext, RenderedMail, subjectLine, webVaultLink } from './html';

/** To an organization's owners and admins: a member accepted their invitation and waits to be confirmed. */
export interface OrgUserAcceptedParams {
  organizationId: string;
  organizationName: string;
  /** The address of the member who accepted (official UserIdentifier). */
  userIdentifier: string;
}

/**
 * bitwarden/server's OrganizationUserAccepted mail ("Action required: … needs to be confirmed"), with the
 * "Confirm member" button to the organization's members page of the web vault.
 */
export function orgUserAcceptedMail(context: MailContext, params: OrgUserAcceptedParams): RenderedMail {
  const link = webVaultLink(context, `organizations/${params.organizationId}/members`, []);
  const line = `${params.userIdentifier} needs to be confirmed to ${params.organizationName} before they can access the organization vault.`;
  const text = [line, '', `Confirm member: ${link}`, ''].join('\n');
  const body = [
    `<p>${escapeHtml(line)}</p>`,
    `<p>${htmlButton(link, 'Confirm member')}</p>`,
  ].join('\n');
  const subject = subjectLine(`Action required: ${params.userIdentifier} needs to be confirmed`);
  return { subject, text, html: htmlDocument(context, subject, body) };
}
