import { renderMail } from '../mail/templates';
import { readsNestedTwoFactorBodies } from './client-version';
import { maskEmail, numericCode, parseEmailCode, parseWebAuthn, sameText } from './two-factor-data';
import { assertionResponse, registrationResponse } from './webauthn';

describe('two-step login helpers', () => {
  it('masks the email address as Vaultwarden does', () => {
    expect(maskEmail('alice@example.com')).toBe('al***@example.com');
    expect(maskEmail('bob@example.com')).toBe('***@example.com');
    expect(maskEmail('a@b@example.com')).toBe('***@example.com');
  });

  it('reads stored data defensively', () => {
    expect(parseWebAuthn('not json')).toEqual({ keys: [] });
    expect(parseWebAuthn(JSON.stringify({ keys: [{ id: 1 }, { id: 2, name: 'k', credentialId: 'c', publicKey: 'p', counter: 0 }] })).keys).toEqual([
      { id: 2, name: 'k', credentialId: 'c', publicKey: 'p', counter: 0, migrated: false },
    ]);
    expect(parseEmailCode('[]')).toEqual({ tokenHash: null, sentAt: null, attempts: 0 });
  });

  it('makes numeric codes of the configured size and compares in constant time', () => {
    expect(numericCode(6)).toMatch(/^\d{6}$/);
    expect(numericCode(19)).toMatch(/^\d{19}$/);
    expect(sameText('abc', 'abc')).toBe(true);
    expect(sameText('abc', 'abd')).toBe(false);
    expect(sameText('abc', 'abcd')).toBe(false);
  });

  it('picks the body shape by client version (bitwarden/server nests since 2026.7)', () => {
    expect(readsNestedTwoFactorBodies('2026.6.0')).toBe(false);
    expect(readsNestedTwoFactorBodies('2026.7.1')).toBe(true);
    expect(readsNestedTwoFactorBodies('2027.1.0')).toBe(true);
    expect(readsNestedTwoFactorBodies(undefined)).toBe(false);
  });

  it('reads both spellings of the clients\' WebAuthn bodies, base64 or base64url', () => {
    const id = Buffer.from('credential-id').toString('base64url');
    const older = registrationResponse({ id, rawId: Buffer.from(id).toString('base64'), type: 'public-key', response: { AttestationObject: Buffer.from('att').toString('base64'), clientDataJson: Buffer.from('{}').toString('base64') } });
    const newer = registrationResponse({ id, rawId: id, type: 'public-key', response: { attestationObject: Buffer.from('att').toString('base64url'), clientDataJSON: Buffer.from('{}').toString('base64url'), transports: ['usb'] } });
    expect(older).toMatchObject({ id, rawId: id, response: { attestationObject: Buffer.from('att').toString('base64url'), clientDataJSON: Buffer.from('{}').toString('base64url') } });
    expect(newer?.response.transports).toEqual(['usb']);
    expect(registrationResponse({ id })).toBeNull();
    expect(assertionResponse('not json')).toBeNull();
    expect(assertionResponse(JSON.stringify({ id, response: { authenticatorData: 'AA', clientDataJson: 'AA', signature: 'AA' } }))).toMatchObject({ id, response: { signature: 'AA' } });
  });

  it('renders the code mail and the incomplete-login mail, escaping what it shows', () => {
    const context = { publicUrl: 'https://vault.example.com', productName: 'Vaultwave' };
    const code = renderMail('two-factor-code', context, { code: '123456', purpose: 'login', validMinutes: 10 });
    expect(code.subject).toBe('Vaultwave: Your Two-step Login Verification Code');
    expect(code.text).toMatch(/^123456$/m);
    expect(code.html).toContain('123456');
    const incomplete = renderMail('incomplete-two-factor-login', context, { ip: '192.0.2.1', loginTime: new Date('2026-12-05T14:30:00Z'), deviceName: '<b>x</b>', deviceType: 'LinuxCLI', timeLimitMinutes: 3 });
    expect(incomplete.text).toContain('IP address: 192.0.2.1');
    expect(incomplete.html).not.toContain('<b>x</b>');
    expect(incomplete.html).toContain('&lt;b&gt;x&lt;/b&gt;');
  });
});
