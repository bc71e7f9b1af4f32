import { SingleFlight } from './single-flight';

describe('SingleFlight', () => {
  it('shares the run in progress, then starts a new one; a failed run frees the slot', async () => {
    const flight = new SingleFlight<number>();
    let started = 0;
    let release!: () => void;
    const work = (): Promise<number> => {
      started += 1;
      return new Promise<number>((ok) => (release = () => ok(started)));
    };
    const a = flight.run(work);
    const b = flight.run(work);
    expect(started).toBe(1);
    release();
    expect(await Promise.all([a, b])).toEqual([1, 1]);
    await expect(flight.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    const c = flight.run(work);
    expect(started).toBe(2);
    release();
    expect(await c).toBe(2);
    await flight.settled();
  });
});
