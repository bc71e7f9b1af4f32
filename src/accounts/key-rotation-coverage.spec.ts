import { VaultError } from '../common/errors/vault-error';
import { RotateUserAccountKeysDto } from './dto/key-management-request.dto';
import { rotationCoverageProblem, RotationSet } from './key-rotation-coverage';
import { checkRotationRequest, givenIds } from './key-rotation.service';

const set = (partial: Partial<RotationSet> = {}): RotationSet => ({ cipherIds: [], folderIds: [], sendIds: [], emergencyAccessIds: [], recoveryOrganizationIds: [], ...partial });
const A = 'aaaaaaaa-0000-4000-8000-000000000001';
const B = 'bbbbbbbb-0000-4000-8000-000000000002';
const X = 'cccccccc-0000-4000-8000-000000000003';

describe('rotationCoverageProblem: every held id in the request, no id that is not held', () => {
  it('accepts exactly what is held, in any order and case; an empty vault rotates with empty lists', () => {
    const held = set({ cipherIds: [A, B], folderIds: [A], sendIds: [B], emergencyAccessIds: [A], recoveryOrganizationIds: [B] });
    expect(rotationCoverageProblem(held, set({ cipherIds: [B.toUpperCase(), A], folderIds: [A], sendIds: [B], emergencyAccessIds: [A], recoveryOrganizationIds: [B] }))).toBeNull();
    expect(rotationCoverageProblem(set(), set())).toBeNull();
  });

  it.each([
    ['cipherIds', 'All existing ciphers must be included in the rotation.'],
    ['folderIds', 'All existing folders must be included in the rotation.'],
    ['sendIds', 'All existing sends must be included in the rotation.'],
    ['emergencyAccessIds', 'All existing emergency access keys must be included in the rotation.'],
    ['recoveryOrganizationIds', 'All existing reset password keys must be included in the rotation.'],
  ] as const)('one %s left out: "%s"', (kind, message) => {
    expect(rotationCoverageProblem(set({ [kind]: [A, B] }), set({ [kind]: [A] }))).toBe(message);
  });

  it.each([
    ['cipherIds', "Cipher doesn't exist"],
    ['folderIds', "Folder doesn't exist"],
    ['sendIds', "Send doesn't exist"],
    ['emergencyAccessIds', "Emergency access doesn't exist or is not owned by the user"],
    ['recoveryOrganizationIds', "Reset password doesn't exist"],
  ] as const)('an id of %s that is not the user\'s: "%s"', (kind, message) => {
    expect(rotationCoverageProblem(set({ [kind]: [A] }), set({ [kind]: [A, X] }))).toBe(message);
  });

  it('a missing item is reported before a foreign one', () => {
    expect(rotationCoverageProblem(set({ cipherIds: [A] }), set({ cipherIds: [X] }))).toBe('All existing ciphers must be included in the rotation.');
  });
});

describe('a rotation request', () => {
  const user = { email: 'owner@example.com', kdfType: 0, kdfIterations: 600_000, kdfMemory: null, kdfParallelism: null, publicKey: 'PUB', privateKey: '2.old|old|old' };
  const request = (changes: { unlock?: Record<string, unknown>; keys?: Record<string, unknown> } = {}): RotateUserAccountKeysDto => ({
    oldMasterKeyAuthenticationHash: 'old',
    accountUnlockData: {
      masterPasswordUnlockData: { kdfType: 0, kdfIterations: 600_000, email: 'owner@example.com', salt: 'owner@example.com', masterKeyAuthenticationHash: 'h', masterKeyEncryptedUserKey: '2.k|k|k', ...changes.unlock },
      emergencyAccessUnlockData: [{ id: A, keyEncrypted: '4.x' }],
      organizationAccountRecoveryUnlockData: null,
    },
    accountKeys: { userKeyEncryptedAccountPrivateKey: '2.new|new|new', accountPublicKey: 'PUB', ...changes.keys },
    accountData: {
      ciphers: [{ id: A, type: 1, name: '2.n|n|n' }, { id: B, type: 1, name: '2.n|n|n', organizationId: X }] as never,
      folders: [{ id: A, name: '2.f|f|f' }, { id: null, name: '2.f|f|f' }],
      sends: [{ id: B, key: '2.s|s|s' }],
    },
  });
  const message = (fn: () => unknown): string => {
    try {
      fn();
    } catch (error) {
      return (error as VaultError).message;
    }
    return 'accepted';
  };

  it('names the personal items, folders with an id, Sends, grants and organizations it re-keys', () => {
    expect(givenIds(request())).toEqual(set({ cipherIds: [A], folderIds: [A], sendIds: [B], emergencyAccessIds: [A] }));
  });

  it('keeps the KDF, salt and key pair; returns the re-wrapped private key (either form)', () => {
    expect(checkRotationRequest(user, request())).toBe('2.new|new|new');
    expect(checkRotationRequest(user, request({ keys: { userKeyEncryptedAccountPrivateKey: null, accountPublicKey: null, publicKeyEncryptionKeyPair: { wrappedPrivateKey: '2.v2|v2|v2', publicKey: 'PUB' } } })))
      .toBe('2.v2|v2|v2');
    expect(message(() => checkRotationRequest(user, request({ unlock: { kdfIterations: 700_000 } })))).toBe('Changing the kdf variant or email is not supported during key rotation');
    expect(message(() => checkRotationRequest(user, request({ unlock: { email: 'other@example.com' } })))).toBe('Changing the kdf variant or email is not supported during key rotation');
    expect(message(() => checkRotationRequest(user, request({ unlock: { salt: 'other@example.com' } })))).toBe('Invalid master password salt.');
    expect(message(() => checkRotationRequest(user, request({ keys: { accountPublicKey: 'OTHER' } })))).toBe('Changing the asymmetric keypair is not possible during key rotation');
    expect(message(() => checkRotationRequest(user, request({ keys: { userKeyEncryptedAccountPrivateKey: null } })))).toBe('The account private key, wrapped by the new user key, is required.');
  });
});
