import { DeliveryEnvelope } from './delivery-bus';
import { decodeBusMessage, encodeBusMessage } from './redis-delivery-bus';

describe('delivery bus wire format (JSON with tagged Dates)', () => {
  it('round-trips an envelope; RevisionDate/Date come back as Dates with the same millisecond', () => {
    const envelope: DeliveryEnvelope = {
      target: { kind: 'users', userIds: ['a', 'b'] },
      type: 0,
      contextId: 'dev',
      payload: { Id: 'c', UserId: 'a', OrganizationId: null, CollectionIds: ['x'], RevisionDate: new Date('2025-01-02T03:04:05.678Z') },
      close: { exceptDeviceId: null },
    };
    const { origin, envelope: back } = decodeBusMessage(encodeBusMessage('node-1', envelope));
    expect(origin).toBe('node-1');
    expect(back).toEqual(envelope);
    expect(back.payload.RevisionDate).toBeInstanceOf(Date);
  });

  it('revives by tag, not by key name: a string under a date-like key stays a string, a Date under any key is a Date', () => {
    const envelope: DeliveryEnvelope = { target: { kind: 'anonymous', token: 't' }, type: 16, contextId: null, payload: { Date: '2025-01-02T03:04:05.678Z', Other: new Date(0) }, anonymous: true };
    const back = decodeBusMessage(encodeBusMessage('n', envelope)).envelope;
    expect(back.payload.Date).toBe('2025-01-02T03:04:05.678Z');
    expect(back.payload.Other).toEqual(new Date(0));
  });

  it('an object that looks like a tag survives as an object', () => {
    const envelope = { target: { kind: 'device', userId: 'u', deviceId: 'd' }, type: 11, contextId: null, payload: { X: { $date: 'not a date' } } } as unknown as DeliveryEnvelope;
    expect(decodeBusMessage(encodeBusMessage('n', envelope)).envelope).toEqual(envelope);
  });

  it('rejects foreign or malformed messages', () => {
    expect(() => decodeBusMessage('not json')).toThrow();
    expect(() => decodeBusMessage('{"v":2,"origin":"n","envelope":{}}')).toThrow();
    expect(() => decodeBusMessage('{"v":1,"origin":"n","envelope":{"target":{"kind":"nobody"},"type":1,"payload":{}}}')).toThrow();
    expect(() => decodeBusMessage('{"v":1,"origin":"n","envelope":{"target":{"kind":"users","userIds":[]},"type":1,"payload":{"D":{"$date":"garbage"}}}}')).toThrow();
  });
});
