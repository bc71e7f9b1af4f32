import { emergencyAccessInviteLink, EmergencyAccessInviteParams } from './emergency-access';
import { escapeHtml } from './html';
import { MAIL_TEMPLATES, renderMail } from './index';

const context = { publicUrl: 'https://vault.example.com/base', productName: 'Vaultwave' };
const invite = (overrides: Partial<EmergencyAccessInviteParams> = {}): EmergencyAccessInviteParams => ({
  emergencyAccessId: '6f1d7d0e-9c59-4c5e-9f3a-2f0a7f6b1c01',
  email: 'trusted+tag@example.com',
  grantorName: 'Ann & Bob',
  token: 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln-_',
  expiresAt: new Date('2026-12-05T14:30:00Z'),
  ...overrides,
});

describe('emergency access mails', () => {
  it('the invitation links the web vault accept-emergency page under DOMAIN with id, name, email and token, percent-encoded', () => {
    const link = emergencyAccessInviteLink(context, invite());
    const [base, query] = link.split('?');
    expect(base).toBe('https://vault.example.com/base/#/accept-emergency');
    expect([...new URLSearchParams(query)]).toEqual([
      ['id', invite().emergencyAccessId], ['name', 'Ann & Bob'], ['email', 'trusted+tag@example.com'], ['token', invite().token],
    ]);
    expect(query).toContain('email=trusted%2Btag%40example.com');
    expect(query).toContain('name=Ann%20%26%20Bob');
  });

  it('renders the invitation: subject, the link as is in the text, escaped in the HTML, its validity', () => {
    const mail = renderMail('emergency-access-invite', context, invite());
    const link = emergencyAccessInviteLink(context, invite());
    expect(mail.subject).toBe('Emergency access contact invited by Ann & Bob');
    expect(mail.text).toContain(link);
    expect(mail.text).toContain('valid until Saturday, 5 December 2026 at 14:30 UTC');
    expect(mail.html).toContain(`href="${escapeHtml(link)}"`);
    expect(mail.html).not.toContain(`href="${link}"`);
    expect(mail.html).toContain('<strong>Ann &amp; Bob</strong>');
  });

  it('escapes every interpolated value in the HTML and keeps subjects on one line', () => {
    const name = `<script>alert("x")</script>\r\nBcc: victim@example.com`;
    const mails = [
      renderMail('emergency-access-invite', context, invite({ grantorName: name })),
      renderMail('emergency-access-accepted', context, { granteeEmail: name }),
      renderMail('emergency-access-confirmed', context, { grantorName: name }),
      renderMail('emergency-access-recovery-initiated', context, { granteeName: name, kind: 'Takeover', waitTimeDays: 7 }),
      renderMail('emergency-access-recovery-approved', context, { grantorName: name }),
      renderMail('emergency-access-recovery-rejected', context, { grantorName: name }),
      renderMail('emergency-access-recovery-reminder', context, { granteeName: name, kind: 'View', waitTimeDays: 1 }),
      renderMail('emergency-access-recovery-timed-out', context, { granteeName: name, kind: 'View' }),
    ];
    for (const mail of mails) {
      expect(mail.html).not.toMatch(/<script/);
      expect(mail.subject).not.toMatch(/[\r\n]/);
      for (const [, value] of mail.html.matchAll(/href="([^"]*)"/g)) expect(value).not.toMatch(/[<>"']/);
    }
    expect(mails[0]!.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
  });

  it('says who asked, for what, and how long the grantor has; links the Emergency access page', () => {
    const initiated = renderMail('emergency-access-recovery-initiated', context, { granteeName: 'Bob', kind: 'Takeover', waitTimeDays: 7 });
    expect(initiated.subject).toBe('Emergency Access Initiated');
    expect(initiated.text).toContain('Bob has asked for emergency access to take over your vault.');
    expect(initiated.text).toContain('in 7 days');
    expect(initiated.text).toContain('https://vault.example.com/base/#/settings/emergency-access');
    const reminder = renderMail('emergency-access-recovery-reminder', context, { granteeName: 'Bob', kind: 'View', waitTimeDays: 1 });
    expect(reminder.subject).toBe('Pending Emergency Access Request');
    expect(reminder.text).toContain('to view your vault');
    expect(reminder.text).toContain('in 1 day ');
    expect(renderMail('emergency-access-recovery-timed-out', context, { granteeName: 'Bob', kind: 'Takeover' }).text).toContain('they may now take over your vault');
    expect(renderMail('emergency-access-accepted', context, { granteeEmail: 'bob@example.com' }).text).toContain('bob@example.com has accepted');
    expect(renderMail('emergency-access-recovery-rejected', context, { grantorName: 'Ann' }).text).toContain('vault of Ann has been rejected');
  });

  it('every emergency access template is registered', () => {
    expect(Object.keys(MAIL_TEMPLATES)).toEqual(expect.arrayContaining([
      'emergency-access-invite', 'emergency-access-accepted', 'emergency-access-confirmed', 'emergency-access-recovery-initiated',
      'emergency-access-recovery-approved', 'emergency-access-recovery-rejected', 'emergency-access-recovery-reminder', 'emergency-access-recovery-timed-out',
    ]));
  });
});
