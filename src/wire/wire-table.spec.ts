import { Actor, DomainEventMap, DomainEventName } from '../event-bus/domain-events';
import { UpdateType } from './update-type';
import { WireContext, WireMessage } from './wire-message';
import { revisionDatesNeeded, toWireMessages, WIRE_TABLE } from './wire-table';

const NOW = new Date('2026-12-07T10:00:00.000Z');
const ALICE = 'a1a1a1a1-0000-4000-8000-000000000001';
const BOB = 'b2b2b2b2-0000-4000-8000-000000000002';
const CIPHER = 'c3c3c3c3-0000-4000-8000-000000000003';
const FOLDER = 'f4f4f4f4-0000-4000-8000-000000000004';
const SEND = '5e5e5e5e-0000-4000-8000-000000000005';
const REQUEST = 'e5e5e5e5-0000-4000-8000-000000000005';
const ORG = '0a0a0a0a-0000-4000-8000-00000000000a';
const actor: Actor = { userId: ALICE, deviceId: 'd0d0d0d0-0000-4000-8000-00000000000d', deviceIdentifier: 'app-id-of-alice-phone' };
const REVISION = new Date('2026-12-07T09:59:59.123Z');
const BOB_REVISION = new Date('2026-12-07T09:00:00.000Z');

const context: WireContext = { now: NOW, revisionDate: (userId) => (userId === ALICE ? REVISION : userId === BOB ? BOB_REVISION : NOW) };
const wire = <K extends DomainEventName>(name: K, event: DomainEventMap[K]): WireMessage[] => toWireMessages(name, event, context);

/** The shape the table promises, compactly: recipient, type, ContextId, acting device, payload, close, channels. */
const summary = (m: WireMessage): unknown => ({
  to: m.to, type: m.type, contextId: m.contextId, actingDeviceId: m.actingDeviceId, objectId: m.objectId,
  payload: m.payload, relayPayload: m.relayPayload, close: m.close, channels: m.channels,
});

describe('the wire table', () => {
  const change = { cipherId: CIPHER, userId: ALICE, organizationId: null, collectionIds: null, revisionDate: REVISION, recipients: [ALICE], actor };

  it.each([
    ['CipherCreated', UpdateType.SyncCipherCreate],
    ['CipherUpdated', UpdateType.SyncCipherUpdate],
    ['CipherDeleted', UpdateType.SyncLoginDelete],
  ] as const)('%s → type %i to the owner, ContextId the acting device, on both channels', (name, type) => {
    expect(wire(name, change).map(summary)).toEqual([{
      to: { kind: 'user', userId: ALICE }, type, contextId: actor.deviceIdentifier, actingDeviceId: actor.deviceId, objectId: CIPHER,
      payload: { Id: CIPHER, UserId: ALICE, OrganizationId: null, CollectionIds: null, RevisionDate: REVISION }, relayPayload: undefined,
      close: null, channels: ['hub', 'push'],
    }]);
  });

  it('a cipher seen by several users: one message each (de-duplicated), one shared hub payload, the relay payload names the recipient', () => {
    const messages = wire('CipherUpdated', { ...change, userId: null, organizationId: ORG, recipients: [ALICE, BOB, ALICE.toUpperCase()] });
    expect(messages.map((m) => m.to)).toEqual([{ kind: 'user', userId: ALICE }, { kind: 'user', userId: BOB }]);
    expect(messages[0]!.payload).toBe(messages[1]!.payload);
    expect(messages[0]!.payload).toMatchObject({ UserId: null, OrganizationId: ORG });
    expect(messages.map((m) => m.relayPayload?.UserId)).toEqual([ALICE, BOB]);
  });

  it('a change by the system (no actor): no ContextId, no acting device', () => {
    expect(wire('CipherDeleted', { ...change, actor: null }).map((m) => [m.contextId, m.actingDeviceId])).toEqual([[null, null]]);
  });

  it.each([
    ['FolderCreated', UpdateType.SyncFolderCreate],
    ['FolderUpdated', UpdateType.SyncFolderUpdate],
    ['FolderDeleted', UpdateType.SyncFolderDelete],
  ] as const)('%s → type %i to the owner, ContextId the acting device', (name, type) => {
    expect(wire(name, { folderId: FOLDER, userId: ALICE, revisionDate: REVISION, actor }).map(summary)).toEqual([{
      to: { kind: 'user', userId: ALICE }, type, contextId: actor.deviceIdentifier, actingDeviceId: actor.deviceId, objectId: FOLDER,
      payload: { Id: FOLDER, UserId: ALICE, RevisionDate: REVISION }, relayPayload: undefined, close: null, channels: ['hub', 'push'],
    }]);
  });

  it.each([
    ['SendCreated', UpdateType.SyncSendCreate],
    ['SendUpdated', UpdateType.SyncSendUpdate],
    ['SendDeleted', UpdateType.SyncSendDelete],
  ] as const)('%s → type %i to the owner, ContextId the acting device', (name, type) => {
    expect(wire(name, { sendId: SEND, userId: ALICE.toUpperCase(), revisionDate: REVISION, actor }).map(summary)).toEqual([{
      to: { kind: 'user', userId: ALICE }, type, contextId: actor.deviceIdentifier, actingDeviceId: actor.deviceId, objectId: SEND,
      payload: { Id: SEND, UserId: ALICE, RevisionDate: REVISION }, relayPayload: undefined, close: null, channels: ['hub', 'push'],
    }]);
  });

  it('SendAccessed (anonymous) and a Send deleted by the purge → 13 / 14 to the owner with no ContextId and no acting device', () => {
    expect(wire('SendAccessed', { sendId: SEND, userId: ALICE, revisionDate: REVISION, actor: null }).map(summary)).toEqual([{
      to: { kind: 'user', userId: ALICE }, type: UpdateType.SyncSendUpdate, contextId: null, actingDeviceId: null, objectId: SEND,
      payload: { Id: SEND, UserId: ALICE, RevisionDate: REVISION }, relayPayload: undefined, close: null, channels: ['hub', 'push'],
    }]);
    expect(wire('SendDeleted', { sendId: SEND, userId: ALICE, revisionDate: REVISION, actor: null }).map((m) => [m.type, m.contextId])).toEqual([[UpdateType.SyncSendDelete, null]]);
  });

  it.each([['vault', UpdateType.SyncVault], ['ciphers', UpdateType.SyncCiphers]] as const)(
    'CiphersBulkChanged (%s) → type %i once per user with that user\'s revision date, no ContextId',
    (kind, type) => {
      const event = { userIds: [ALICE, BOB, ALICE], kind, reason: 'bulk-delete' as const, actor };
      expect(revisionDatesNeeded('CiphersBulkChanged', event)).toEqual([ALICE, BOB]);
      expect(wire('CiphersBulkChanged', event).map(summary)).toEqual([ALICE, BOB].map((userId) => ({
        to: { kind: 'user', userId }, type, contextId: null, actingDeviceId: actor.deviceId, objectId: userId,
        payload: { UserId: userId, Date: userId === ALICE ? REVISION : BOB_REVISION }, relayPayload: undefined, close: null, channels: ['hub', 'push'],
      })));
    },
  );

  it('UserSettingsChanged → 10 with the revision date, no ContextId', () => {
    expect(revisionDatesNeeded('UserSettingsChanged', { userId: ALICE, actor })).toEqual([ALICE]);
    expect(wire('UserSettingsChanged', { userId: ALICE, actor }).map(summary)).toEqual([{
      to: { kind: 'user', userId: ALICE }, type: UpdateType.SyncSettings, contextId: null, actingDeviceId: actor.deviceId, objectId: ALICE,
      payload: { UserId: ALICE, Date: REVISION }, relayPayload: undefined, close: null, channels: ['hub', 'push'],
    }]);
  });

  it('OrganizationKeysChanged → 6 to each user (de-duplicated) with that user\'s revision date, no ContextId', () => {
    const event = { organizationId: ORG, userIds: [ALICE, BOB, ALICE.toUpperCase()], reason: 'created' as const, actor };
    expect(revisionDatesNeeded('OrganizationKeysChanged', event)).toEqual([ALICE, BOB]);
    expect(wire('OrganizationKeysChanged', event).map(summary)).toEqual([ALICE, BOB].map((userId) => ({
      to: { kind: 'user', userId }, type: UpdateType.SyncOrgKeys, contextId: null, actingDeviceId: actor.deviceId, objectId: userId,
      payload: { UserId: userId, Date: userId === ALICE ? REVISION : BOB_REVISION }, relayPayload: undefined, close: null, channels: ['hub', 'push'],
    })));
    expect(wire('OrganizationKeysChanged', { ...event, userIds: [ALICE], reason: 'left' }).map((m) => m.contextId)).toEqual([actor.deviceIdentifier]);
  });

  it('CollectionAccessChanged → 4 to each member concerned with their revision date; UserRegistered, TwoFactorDisabled → nothing', () => {
    const event = { organizationId: ORG, collectionId: FOLDER, userIds: [BOB], actor };
    expect(revisionDatesNeeded('CollectionAccessChanged', event)).toEqual([BOB]);
    expect(wire('CollectionAccessChanged', event).map(summary)).toEqual([{
      to: { kind: 'user', userId: BOB }, type: UpdateType.SyncCiphers, contextId: null, actingDeviceId: actor.deviceId, objectId: BOB,
      payload: { UserId: BOB, Date: BOB_REVISION }, relayPayload: undefined, close: null, channels: ['hub', 'push'],
    }]);
    expect(wire('UserRegistered', { userId: ALICE, email: 'alice@example.test' })).toEqual([]);
    expect(wire('TwoFactorDisabled', { userId: ALICE, actor })).toEqual([]);
  });

  it('UserLoggedOut → LogOut stamped by the clock, then close every socket but the acting device\'s; on both channels', () => {
    expect(wire('UserLoggedOut', { userId: ALICE, reason: 0, actor, keepDeviceId: actor.deviceId }).map(summary)).toEqual([{
      to: { kind: 'user', userId: ALICE }, type: UpdateType.LogOut, contextId: actor.deviceIdentifier, actingDeviceId: actor.deviceId, objectId: ALICE,
      payload: { UserId: ALICE, Date: NOW, Reason: 0 }, relayPayload: undefined, close: { exceptDeviceId: actor.deviceId }, channels: ['hub', 'push'],
    }]);
  });

  it('DeviceRemoved → LogOut to that device only, then close; hub only (the relay hears DevicePushTokenCleared)', () => {
    expect(wire('DeviceRemoved', { userId: ALICE, deviceId: 'dev-1', deviceIdentifier: 'app-1', actor }).map(summary)).toEqual([{
      to: { kind: 'device', userId: ALICE, deviceId: 'dev-1' }, type: UpdateType.LogOut, contextId: null, actingDeviceId: null, objectId: ALICE,
      payload: { UserId: ALICE, Date: NOW, Reason: null }, relayPayload: undefined, close: { exceptDeviceId: null }, channels: ['hub'],
    }]);
  });

  it('device push-token events are relay registrations, not notifications', () => {
    expect(wire('DevicePushTokenSet', { userId: ALICE, deviceId: 'dev-1', deviceIdentifier: 'app-1', deviceType: 0, tokenChanged: true })).toEqual([]);
    expect(wire('DevicePushTokenCleared', { userId: ALICE, deviceId: 'dev-1', deviceIdentifier: 'app-1', deviceType: 0, reason: 'cleared' })).toEqual([]);
  });

  it('AuthRequestCreated → 15 to the owner, ContextId the requesting device', () => {
    expect(wire('AuthRequestCreated', { authRequestId: REQUEST, userId: ALICE, requestDeviceIdentifier: 'new-laptop' }).map(summary)).toEqual([{
      to: { kind: 'user', userId: ALICE }, type: UpdateType.AuthRequest, contextId: 'new-laptop', actingDeviceId: null, objectId: REQUEST,
      payload: { Id: REQUEST, UserId: ALICE }, relayPayload: undefined, close: null, channels: ['hub', 'push'],
    }]);
  });

  it('AuthRequestApproved → the anonymous hub (Token = request id, hub only) and 16 to the owner on both channels', () => {
    const messages = wire('AuthRequestApproved', { authRequestId: REQUEST.toUpperCase(), userId: ALICE, actor });
    expect(messages.map(summary)).toEqual([
      {
        to: { kind: 'anonymous', token: REQUEST }, type: UpdateType.AuthRequestResponse, contextId: null, actingDeviceId: null, objectId: REQUEST.toUpperCase(),
        payload: { Id: REQUEST, UserId: ALICE }, relayPayload: undefined, close: null, channels: ['hub'],
      },
      {
        to: { kind: 'user', userId: ALICE }, type: UpdateType.AuthRequestResponse, contextId: actor.deviceIdentifier, actingDeviceId: actor.deviceId,
        objectId: REQUEST.toUpperCase(), payload: { Id: REQUEST, UserId: ALICE }, relayPayload: undefined, close: null, channels: ['hub', 'push'],
      },
    ]);
  });

  it('has a row for every domain event (a new event without one does not compile), and only those', () => {
    expect(Object.keys(WIRE_TABLE).sort()).toEqual([
      'AuthRequestApproved', 'AuthRequestCreated', 'CipherCreated', 'CipherDeleted', 'CipherUpdated', 'CiphersBulkChanged', 'CollectionAccessChanged', 'DevicePushTokenCleared',
      'DevicePushTokenSet', 'DeviceRemoved', 'FolderCreated', 'FolderDeleted', 'FolderUpdated', 'OrganizationKeysChanged', 'SendAccessed', 'SendCreated', 'SendDeleted',
      'SendUpdated', 'TwoFactorDisabled', 'UserLoggedOut', 'UserRegistered', 'UserSettingsChanged',
    ]);
  });
});
