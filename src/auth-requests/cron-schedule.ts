import { CronExpressionParser } from 'cron-parser';

/**
 * Cron schedules as Vaultwarden writes them (`AUTH_REQUEST_PURGE_SCHEDULE=30 * * * * *`): six fields,
 * second minute hour day-of-month month day-of-week, evaluated in UTC. Five fields (no seconds) and the
 * cron-parser aliases (@hourly, …) are accepted too; Vaultwarden's optional seventh (year) field is not.
 */
const OPTIONS = { tz: 'UTC' } as const;

/** Why `text` is not a usable schedule, or null when it is. */
export function cronScheduleProblem(text: string): string | null {
  const fields = text.trim().split(/\s+/);
  if (fields.length === 7) return 'a seventh (year) field is not supported';
  try {
    // A schedule that never fires (e.g. 30 February) fails here rather than at the first run.
    CronExpressionParser.parse(text, OPTIONS).next();
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** The first time strictly after `after` that `schedule` (already validated) fires. */
export function nextCronRun(schedule: string, after: Date): Date {
  return CronExpressionParser.parse(schedule, { ...OPTIONS, currentDate: after }).next().toDate();
}
