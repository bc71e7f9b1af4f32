import { VaultError } from '../common/errors/vault-error';
import { TokenForm } from './token-form';

describe('TokenForm', () => {
  it('matches field names in any case, and takes the first of several names', () => {
    const form = TokenForm.parse({ Grant_Type: 'password', USERNAME: 'a@b.c', DeviceIdentifier: 'd', device_type: '8' });
    expect(form.get('grant_type')).toBe('password');
    expect(form.get('username')).toBe('a@b.c');
    expect(form.get('deviceIdentifier', 'device_identifier')).toBe('d');
    expect(form.get('deviceType', 'device_type')).toBe('8');
    expect(form.get('password')).toBeUndefined();
  });

  it('ignores non-string values and bodies that are not objects', () => {
    expect(TokenForm.parse({ username: ['a', 'b'] }).get('username')).toBeUndefined();
    expect(TokenForm.parse(undefined).get('grant_type')).toBeUndefined();
    expect(TokenForm.parse('grant_type=password').get('grant_type')).toBeUndefined();
  });

  it('refuses one field under two spellings with an OAuth invalid_request', () => {
    let error: unknown;
    try {
      TokenForm.parse({ username: 'a@b.c', Username: 'x@y.z' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(VaultError);
    expect((error as VaultError).status).toBe(400);
    expect((error as VaultError).details.oauth).toEqual({ error: 'invalid_request', error_description: expect.stringContaining('username') });
  });
});
