import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { UpdateAuthenticatorDto } from './two-factor-request.dto';

describe('UpdateAuthenticatorDto', () => {
  const read = (token: unknown): UpdateAuthenticatorDto => plainToInstance(UpdateAuthenticatorDto, { key: 'K', token });

  it('takes a code sent as a number back to six digits (a leading zero is lost in JSON)', () => {
    expect(read(12345).token).toBe('012345');
    expect(read(7).token).toBe('000007');
    expect(read(123456).token).toBe('123456');
    expect(read('012345').token).toBe('012345');
    expect(validateSync(read(12345))).toEqual([]);
  });

  it('leaves what is not a six-digit number as text, for the code check to refuse', () => {
    expect(read(1234567).token).toBe('1234567');
    expect(read(-1).token).toBe('-1');
    expect(read(1.5).token).toBe('1.5');
    expect(validateSync(read({ a: 1 })).map((e) => e.property)).toEqual(['token']);
  });
});
