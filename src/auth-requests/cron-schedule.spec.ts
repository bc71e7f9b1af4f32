import { ConfigError, loadConfig } from '../config/app-config';
import { cronScheduleProblem, nextCronRun } from './cron-schedule';

const load = (value?: string) => loadConfig({ DATA_FOLDER: '/tmp/unused-vault-cron', ...(value === undefined ? {} : { AUTH_REQUEST_PURGE_SCHEDULE: value }) });
const problemsOf = (value: string): string[] => {
  try {
    load(value);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
};

describe('AUTH_REQUEST_PURGE_SCHEDULE', () => {
  it("defaults to Vaultwarden's 30 * * * * * (every minute at second 30, UTC)", () => {
    const schedule = load().config.authRequestPurgeSchedule;
    expect(schedule).toBe('30 * * * * *');
    expect(nextCronRun(schedule!, new Date('2025-03-01T10:00:10.000Z')).toISOString()).toBe('2025-03-01T10:00:30.000Z');
    expect(nextCronRun(schedule!, new Date('2025-03-01T10:00:30.000Z')).toISOString()).toBe('2025-03-01T10:01:30.000Z');
  });

  it('accepts other six-field schedules; an empty value disables the purge', () => {
    expect(load('0 */5 * * * *').config.authRequestPurgeSchedule).toBe('0 */5 * * * *');
    expect(nextCronRun('0 */5 * * * *', new Date('2025-03-01T10:01:00.000Z')).toISOString()).toBe('2025-03-01T10:05:00.000Z');
    expect(load('').config.authRequestPurgeSchedule).toBeNull();
  });

  it.each(['every minute', '61 * * * * *', '*/0 * * * * *', '30 * * * * * 2025', '0 0 0 30 2 *'])('"%s" stops start-up with a message naming the variable', (value) => {
    const problems = problemsOf(value);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^AUTH_REQUEST_PURGE_SCHEDULE: ".*" is not a cron schedule \(.+\); expected six fields/);
    expect(cronScheduleProblem(value)).not.toBeNull();
  });
});
