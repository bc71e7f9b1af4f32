import 'reflect-metadata';
import { CipherRequestDto } from '../../src/ciphers/dto/cipher-request.dto';
import { ImportRequestDto } from '../../src/ciphers/dto/import-request.dto';
import { VaultError } from '../../src/common/errors/vault-error';
import { dtoKeyShape } from '../../src/common/validation/dto-key-shape';
import { KeyCasePipe } from '../../src/common/validation/key-case.pipe';
import { RegisterDto } from '../../src/accounts/dto/register.dto';

const enc = (tag: string): string => `2.${Buffer.from(`iv-${tag}`).toString('base64')}|${Buffer.from(`ct-${tag}`).toString('base64')}|${Buffer.from(`mac-${tag}`).toString('base64')}`;

describe('KeyCasePipe on the real DTOs', () => {
  const pipe = new KeyCasePipe();
  const asBody = (metatype: new () => object, value: unknown): unknown => pipe.transform(value, { type: 'body', metatype });

  it('a cipher as rbw sends it: capitalised login, URIs, fields and password history take camelCase', () => {
    const body = {
      Type: 1,
      Name: enc('name'),
      Notes: enc('notes'),
      FolderId: null,
      OrganizationId: null,
      Login: {
        Username: enc('user'),
        Password: enc('pw'),
        Totp: null,
        Uris: [{ Uri: enc('uri'), Match: null }],
        Fido2Credentials: [{ CredentialId: enc('c'), CreationDate: '2026-01-01T00:00:00.000Z' }],
      },
      Fields: [{ Type: 0, Name: enc('f'), Value: enc('v'), LinkedId: null }],
      passwordHistory: [{ LastUsedDate: '2026-01-01T00:00:00.000Z', Password: enc('old') }],
    };
    expect(asBody(CipherRequestDto, body)).toEqual({
      type: 1,
      name: body.Name,
      notes: body.Notes,
      folderId: null,
      organizationId: null,
      login: {
        username: body.Login.Username,
        password: body.Login.Password,
        totp: null,
        uris: [{ uri: body.Login.Uris[0]!.Uri, match: null }],
        fido2Credentials: [{ credentialId: body.Login.Fido2Credentials[0]!.CredentialId, creationDate: '2026-01-01T00:00:00.000Z' }],
      },
      fields: [{ type: 0, name: body.Fields[0]!.Name, value: body.Fields[0]!.Value, linkedId: null }],
      passwordHistory: [{ lastUsedDate: '2026-01-01T00:00:00.000Z', password: body.passwordHistory[0]!.Password }],
    });
  });

  it('card, identity, secure note and SSH key keep their declared spellings (SSN → ssn, not sSN)', () => {
    const out = asBody(CipherRequestDto, {
      type: 4, name: enc('n'),
      Card: { CardholderName: 'a', ExpMonth: 'b', Code: 'c' },
      Identity: { SSN: 's', FirstName: 'f', PassportNumber: 'p', Address1: 'x' },
      SecureNote: { Type: 0 },
      SshKey: { PrivateKey: 'k', KeyFingerprint: 'fp' },
    });
    expect(out).toMatchObject({
      card: { cardholderName: 'a', expMonth: 'b', code: 'c' },
      identity: { ssn: 's', firstName: 'f', passportNumber: 'p', address1: 'x' },
      secureNote: { type: 0 },
      sshKey: { privateKey: 'k', keyFingerprint: 'fp' },
    });
  });

  it('the import shape reaches each cipher, folder and relationship', () => {
    expect(asBody(ImportRequestDto, {
      Ciphers: [{ Type: 2, Name: 'n', SecureNote: { Type: 0 } }],
      Folders: [{ Name: 'f' }],
      FolderRelationships: [{ Key: 0, Value: 0 }],
    })).toEqual({ ciphers: [{ type: 2, name: 'n', secureNote: { type: 0 } }], folders: [{ name: 'f' }], folderRelationships: [{ key: 0, value: 0 }] });
  });

  it('nested registration objects (kdf inside masterPasswordAuthentication)', () => {
    expect(asBody(RegisterDto, { Email: 'a@b.c', MasterPasswordAuthentication: { Kdf: { KdfType: 0, Iterations: 600000 }, Salt: 's' } }))
      .toEqual({ email: 'a@b.c', masterPasswordAuthentication: { kdf: { kdfType: 0, iterations: 600000 }, salt: 's' } });
  });

  it('two spellings of one field are a Bitwarden 400 naming the field', () => {
    let error: unknown;
    try {
      asBody(CipherRequestDto, { type: 1, name: 'n', login: { username: null, Username: enc('u') } });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(VaultError);
    expect((error as VaultError).status).toBe(400);
    expect((error as VaultError).details.validationErrors).toEqual({ 'login.username': [expect.stringContaining('username, Username')] });
  });

  it('passes parameters without a DTO class unchanged (the token form, route params)', () => {
    const form = { Grant_Type: 'password' };
    expect(pipe.transform(form, { type: 'body', metatype: Object })).toBe(form);
    expect(pipe.transform({ Id: 'x' }, { type: 'param', metatype: CipherRequestDto })).toEqual({ Id: 'x' });
  });

  it('builds each class shape once', () => {
    expect(dtoKeyShape(CipherRequestDto)).toBe(dtoKeyShape(CipherRequestDto));
    expect(dtoKeyShape(CipherRequestDto).child('login')).toBe(dtoKeyShape(CipherRequestDto).child('login'));
    expect(dtoKeyShape(CipherRequestDto).child('login')?.keepsUnknown).toBe(true);
    expect(dtoKeyShape(CipherRequestDto).child('fields')?.keepsUnknown).toBe(false);
  });
});
