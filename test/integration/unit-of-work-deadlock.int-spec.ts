// A unit of work the database aborts to break a deadlock runs again instead of failing the request (a 500): two
// units of work lock two rows in opposite orders on PostgreSQL and MariaDB, the database aborts one, and both end
// committed; the aborted attempt's after-commit hook never runs.
import { DataSource } from 'typeorm';
import { createTestApp, TestApp } from '../support/app';
import { DATA_SOURCE, isDeadlock, UnitOfWork } from '../../src/db/unit-of-work';
import { createMysqlDatabase, createPostgresDatabase, describeWithServices, TestDatabase } from '../support/services';

function deadlockOn(name: string, variable: 'TEST_POSTGRES_URL' | 'TEST_MYSQL_URL', createDatabase: () => Promise<TestDatabase>, placeholder: (n: number) => string): void {
  describeWithServices([variable], `a deadlocked unit of work on ${name}`, () => {
    let db: TestDatabase;
    let t: TestApp;
    let ds: DataSource;
    beforeAll(async () => {
      db = await createDatabase();
      t = await createTestApp({ DATABASE_URL: db.url });
      ds = t.app.get<DataSource>(DATA_SOURCE);
      await ds.query('CREATE TABLE deadlock_probe (id integer PRIMARY KEY, n integer NOT NULL)');
      await ds.query('INSERT INTO deadlock_probe (id, n) VALUES (1, 0), (2, 0)');
    }, 60_000);
    afterAll(async () => {
      await t?.close();
      await db?.drop();
    });

    it('is run again, and both units commit; hooks run once, for the attempt that committed', async () => {
      const uow = t.app.get(UnitOfWork);
      const attempts = { a: 0, b: 0 };
      const hooks: string[] = [];
      const errors: unknown[] = [];
      // Both hold their first row before either asks for its second, so the first attempts must deadlock.
      let release: () => void = () => undefined;
      const bothHoldOne = new Promise<void>((resolve) => { let held = 0; release = () => { held += 1; if (held === 2) resolve(); }; });
      const bump = (first: number, second: number, label: 'a' | 'b') => uow.run(async (tx) => {
        attempts[label] += 1;
        const update = `UPDATE deadlock_probe SET n = n + 1 WHERE id = ${placeholder(1)}`;
        await tx.manager.query(update, [first]);
        if (attempts[label] === 1) {
          release();
          await bothHoldOne;
        }
        try {
          await tx.manager.query(update, [second]);
        } catch (error) {
          errors.push(error);
          throw error;
        }
        tx.afterCommit(() => { hooks.push(`${label}${attempts[label]}`); });
      });
      await Promise.all([bump(1, 2, 'a'), bump(2, 1, 'b')]);
      await uow.drain();

      expect(errors.length).toBeGreaterThanOrEqual(1);
      expect(errors.every(isDeadlock)).toBe(true);
      expect(attempts.a + attempts.b).toBe(2 + errors.length);
      expect(await ds.query('SELECT id, n FROM deadlock_probe ORDER BY id')).toEqual([{ id: 1, n: 2 }, { id: 2, n: 2 }]);
      expect(hooks.sort()).toEqual([`a${attempts.a}`, `b${attempts.b}`]);
    }, 60_000);
  });
}

deadlockOn('PostgreSQL', 'TEST_POSTGRES_URL', () => createPostgresDatabase(), (n) => `$${n}`);
deadlockOn('MySQL', 'TEST_MYSQL_URL', () => createMysqlDatabase(), () => '?');

describe('isDeadlock', () => {
  it('knows the deadlock and serialization errors of MySQL/MariaDB and PostgreSQL, and nothing else', () => {
    expect(isDeadlock({ driverError: { errno: 1213, code: 'ER_LOCK_DEADLOCK' } })).toBe(true);
    expect(isDeadlock({ driverError: { code: '40P01' } })).toBe(true);
    expect(isDeadlock({ driverError: { code: '40001' } })).toBe(true);
    expect(isDeadlock({ driverError: { errno: 1062, code: 'ER_DUP_ENTRY' } })).toBe(false);
    expect(isDeadlock({ driverError: { code: '23505' } })).toBe(false);
    expect(isDeadlock(new Error('deadlock'))).toBe(false);
    expect(isDeadlock(null)).toBe(false);
  });
});
