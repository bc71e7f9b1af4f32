import { GateFullError, WorkGate } from './work-gate';

const deferred = (): { promise: Promise<void>; resolve: () => void } => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
};

describe('WorkGate', () => {
  it('runs at most `concurrency` jobs, queues up to `maxQueue` in order, refuses the rest at once', async () => {
    const gate = new WorkGate(2, 2);
    const blockers = [deferred(), deferred(), deferred(), deferred()];
    const order: number[] = [];
    const jobs = blockers.map((b, i) => gate.run(async () => {
      order.push(i);
      await b.promise;
      return i;
    }));
    await Promise.resolve();
    expect(order).toEqual([0, 1]);
    expect(gate.stats).toEqual({ running: 2, queued: 2 });
    await expect(gate.run(() => Promise.resolve(99))).rejects.toBeInstanceOf(GateFullError);
    blockers[0]!.resolve();
    await jobs[0];
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual([0, 1, 2]);
    for (const b of blockers) b.resolve();
    expect(await Promise.all(jobs)).toEqual([0, 1, 2, 3]);
    expect(gate.stats).toEqual({ running: 0, queued: 0 });
  });

  it('priority jobs are served before ordinary ones and have a queue of their own', async () => {
    const gate = new WorkGate(1, 1);
    const first = deferred();
    const order: string[] = [];
    const running = gate.run(async () => {
      await first.promise;
      order.push('first');
    });
    const ordinary = gate.run(async () => {
      order.push('ordinary');
    });
    await expect(gate.run(() => Promise.resolve())).rejects.toBeInstanceOf(GateFullError);
    const priority = gate.run(async () => {
      order.push('priority');
    }, { priority: true });
    await expect(gate.run(() => Promise.resolve(), { priority: true })).rejects.toBeInstanceOf(GateFullError);
    first.resolve();
    await Promise.all([running, ordinary, priority]);
    expect(order).toEqual(['first', 'priority', 'ordinary']);
  });

  it('a failing job frees its slot', async () => {
    const gate = new WorkGate(1, 0);
    await expect(gate.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await gate.run(() => Promise.resolve('ok'))).toBe('ok');
  });
});
