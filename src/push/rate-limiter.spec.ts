import { sleep, TokenBucket } from './rate-limiter';

describe('TokenBucket (relay rate: burst, then a steady rate)', () => {
  it('allows the burst at once, then one request per 1/rate seconds', () => {
    let now = 0;
    const bucket = new TokenBucket(5, 1, () => now);
    const taken = Array.from({ length: 7 }, () => bucket.tryTake());
    expect(taken).toEqual([true, true, true, true, true, false, false]);
    expect(bucket.waitMs()).toBe(1000);
    now += 500;
    expect(bucket.tryTake()).toBe(false);
    expect(bucket.waitMs()).toBe(500);
    now += 500;
    expect(bucket.tryTake()).toBe(true);
    expect(bucket.tryTake()).toBe(false);
  });

  it('refills up to the burst and no further', () => {
    let now = 0;
    const bucket = new TokenBucket(3, 2, () => now);
    for (let i = 0; i < 3; i += 1) bucket.tryTake();
    now += 60_000;
    expect([bucket.tryTake(), bucket.tryTake(), bucket.tryTake(), bucket.tryTake()]).toEqual([true, true, true, false]);
  });

  it('ready() waits for a token without taking it, and stops when aborted', async () => {
    const bucket = new TokenBucket(1, 1000);
    bucket.tryTake();
    await bucket.ready(new AbortController().signal);
    expect(bucket.tryTake()).toBe(true);
    const slow = new TokenBucket(1, 1);
    slow.tryTake();
    const controller = new AbortController();
    const waiting = slow.ready(controller.signal);
    controller.abort();
    await expect(waiting).rejects.toThrow('aborted');
    await expect(sleep(10, controller.signal)).rejects.toThrow('aborted');
  });
});
