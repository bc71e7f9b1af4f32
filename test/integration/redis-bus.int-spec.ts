import { randomUUID } from 'node:crypto';
import { DeliveryEnvelope } from '../../src/notifications/delivery-bus';
import { RedisDeliveryBus } from '../../src/notifications/redis-delivery-bus';
import { describeWithServices } from '../support/services';
import { waitUntil } from '../support/anonymous-hub';

const envelope = (n: number): DeliveryEnvelope => ({
  target: { kind: 'users', userIds: ['u1'] },
  type: 0,
  contextId: `ctx-${n}`,
  payload: { Id: `id-${n}`, UserId: 'u1', OrganizationId: null, CollectionIds: null, RevisionDate: new Date(Date.UTC(2025, 0, 1, 0, 0, 0, n)) },
});

describeWithServices(['TEST_REDIS_URL'], 'Redis delivery bus on a real Redis', () => {
  const channel = `vault:hub-delivery:test-${randomUUID()}`;
  let a: RedisDeliveryBus;
  let b: RedisDeliveryBus;
  const seenA: DeliveryEnvelope[] = [];
  const seenB: DeliveryEnvelope[] = [];

  beforeAll(async () => {
    a = new RedisDeliveryBus(process.env.TEST_REDIS_URL!, { channel });
    b = new RedisDeliveryBus(process.env.TEST_REDIS_URL!, { channel });
    a.subscribe((e) => seenA.push(e));
    b.subscribe((e) => seenB.push(e));
    await Promise.all([a.onModuleInit(), b.onModuleInit()]);
  });
  afterAll(async () => {
    await Promise.all([a?.onModuleDestroy(), b?.onModuleDestroy()]);
  });

  it('every instance gets every envelope exactly once, in publish order, with Dates revived', async () => {
    for (let i = 0; i < 50; i++) a.publish(envelope(i));
    b.publish(envelope(1000));
    await waitUntil(() => seenB.length === 51 && seenA.length === 51);
    await new Promise((r) => setTimeout(r, 200)); // nothing arrives twice (own messages are not re-delivered)
    expect(seenA).toHaveLength(51);
    expect(seenB).toHaveLength(51);
    const fromA = seenB.filter((e) => e.contextId !== 'ctx-1000');
    expect(fromA).toEqual(Array.from({ length: 50 }, (_, i) => envelope(i)));
    expect(fromA[0]!.payload.RevisionDate).toBeInstanceOf(Date);
    expect(seenA.slice(0, 50)).toEqual(Array.from({ length: 50 }, (_, i) => envelope(i)));
    expect(seenA[50]).toEqual(envelope(1000));
  });

  it('a publish is handed to local handlers synchronously (local sockets never wait on Redis)', () => {
    const before = seenA.length;
    a.publish(envelope(7));
    expect(seenA.length).toBe(before + 1);
  });
});

describe('Redis delivery bus with Redis unreachable', () => {
  it('start-up carries on, publish never throws and local delivery still works', async () => {
    const bus = new RedisDeliveryBus('redis://127.0.0.1:1', { channel: `test-${randomUUID()}` });
    const seen: DeliveryEnvelope[] = [];
    bus.subscribe((e) => seen.push(e));
    try {
      const started = Date.now();
      await bus.onModuleInit();
      expect(Date.now() - started).toBeLessThan(8_000);
      expect(() => {
        for (let i = 0; i < 100; i++) bus.publish(envelope(i));
      }).not.toThrow();
      expect(seen).toHaveLength(100);
    } finally {
      await bus.onModuleDestroy();
    }
  }, 20_000);
});
