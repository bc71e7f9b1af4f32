import { Actor } from '../event-bus/domain-events';
import { UpdateType } from '../wire/update-type';
import { WireContext } from '../wire/wire-message';
import { toWireMessages } from '../wire/wire-table';
import { toEnvelopes } from './notifications.listener';

const NOW = new Date('2026-12-07T10:00:00.000Z');
const ALICE = 'a1a1a1a1-0000-4000-8000-000000000001';
const BOB = 'b2b2b2b2-0000-4000-8000-000000000002';
const REQUEST = 'e5e5e5e5-0000-4000-8000-000000000005';
const actor: Actor = { userId: ALICE, deviceId: 'd0d0d0d0-0000-4000-8000-00000000000d', deviceIdentifier: 'app-id' };
const context: WireContext = { now: NOW, revisionDate: () => NOW };

describe('toEnvelopes (the hub consumer of the wire table)', () => {
  it('a change seen by several users travels as one envelope to all of them', () => {
    const messages = toWireMessages('CipherUpdated', {
      cipherId: REQUEST, userId: null, organizationId: 'org', collectionIds: null, revisionDate: NOW, recipients: [ALICE, BOB], actor,
    }, context);
    expect(toEnvelopes(messages).map((e) => [e.target, e.type, e.contextId])).toEqual([[{ kind: 'users', userIds: [ALICE, BOB] }, UpdateType.SyncCipherUpdate, 'app-id']]);
  });

  it('the anonymous hub gets its own layout; closing messages and per-user payloads are never merged', () => {
    const approved = toWireMessages('AuthRequestApproved', { authRequestId: REQUEST, userId: ALICE, actor }, context);
    expect(toEnvelopes(approved).map((e) => [e.target.kind, e.anonymous ?? false, e.contextId])).toEqual([['anonymous', true, null], ['users', false, 'app-id']]);
    const logOut = toWireMessages('UserLoggedOut', { userId: ALICE, reason: null, actor: null, keepDeviceId: null }, context);
    const bulk = toWireMessages('CiphersBulkChanged', { userIds: [ALICE, BOB], kind: 'vault', reason: 'import', actor: null }, context);
    expect(toEnvelopes([...logOut, ...bulk]).map((e) => [e.type, e.target, e.close ?? null])).toEqual([
      [UpdateType.LogOut, { kind: 'users', userIds: [ALICE] }, { exceptDeviceId: null }],
      [UpdateType.SyncVault, { kind: 'users', userIds: [ALICE] }, null],
      [UpdateType.SyncVault, { kind: 'users', userIds: [BOB] }, null],
    ]);
  });

  it('a device target keeps its close rule', () => {
    const removed = toWireMessages('DeviceRemoved', { userId: ALICE, deviceId: 'dev-1', deviceIdentifier: 'app-1', actor: null }, context);
    expect(toEnvelopes(removed)).toEqual([{
      target: { kind: 'device', userId: ALICE, deviceId: 'dev-1' }, type: UpdateType.LogOut, contextId: null,
      payload: { UserId: ALICE, Date: NOW, Reason: null }, close: { exceptDeviceId: null },
    }]);
  });
});
