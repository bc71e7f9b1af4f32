import { bearerToken } from './access-token.guard';

describe('bearerToken', () => {
  it('takes the token of a Bearer header, the scheme in any case', () => {
    expect(bearerToken('Bearer abc.def.ghi')).toBe('abc.def.ghi');
    expect(bearerToken('bearer  abc')).toBe('abc');
    expect(bearerToken('BEARER abc ')).toBe('abc');
  });

  it('refuses anything else', () => {
    for (const header of [undefined, '', 'Bearer', 'Bearer ', 'Basic abc', 'Bearer a b', 'Bearerabc', 'Token abc']) expect(bearerToken(header)).toBeNull();
  });
});
