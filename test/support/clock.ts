import { INestApplication } from '@nestjs/common';
import { Clock } from '../../src/common/time/clock';

/** Runs `body` with the server's clock moved by `ms` (negative: back), then puts it back. */
export async function withClockShifted<T>(t: { app: INestApplication }, ms: number, body: () => Promise<T>): Promise<T> {
  const clock = t.app.get(Clock);
  const now = clock.now.bind(clock);
  clock.now = () => new Date(now().getTime() + ms);
  try {
    return await body();
  } finally {
    clock.now = now;
  }
}
