// TEST CODE ONLY: the external services some tests need (PostgreSQL, MySQL/MariaDB, Redis), from
// TEST_POSTGRES_URL, TEST_MYSQL_URL and TEST_REDIS_URL (.ci/services.sh starts them and exports all three).
// Without them the tests skip locally and FAIL in CI (CI=true), so a broken CI setup can never pass silently.
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';

export type ServiceVariable = 'TEST_POSTGRES_URL' | 'TEST_MYSQL_URL' | 'TEST_REDIS_URL';

/**
 * `describe` when every variable is set; otherwise `describe.skip` locally, and in CI a suite with one
 * failing test naming what is missing.
 */
export function describeWithServices(variables: ServiceVariable[], name: string, body: () => void): void {
  const missing = variables.filter((v) => !process.env[v]);
  if (missing.length === 0) {
    describe(name, body);
  } else if (process.env.CI === 'true') {
    describe(name, () => {
      it(`needs ${missing.join(' and ')} (set by .ci/services.sh)`, () => {
        throw new Error(`${missing.join(' and ')} unset in CI: .ci/run must start PostgreSQL/MariaDB/Redis and export them`);
      });
    });
  } else {
    describe.skip(`${name} (skipped: ${missing.join(', ')} unset)`, body);
  }
}

export interface TestDatabase { url: string; name: string; drop(): Promise<void> }

/** A new, empty PostgreSQL database on the TEST_POSTGRES_URL server, and a way to drop it. */
export async function createPostgresDatabase(prefix = 'vault_t'): Promise<TestDatabase> {
  const admin = process.env.TEST_POSTGRES_URL!;
  const name = `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const run = async (sql: string): Promise<void> => {
    const ds = new DataSource({ type: 'postgres', url: admin });
    await ds.initialize();
    try {
      await ds.query(sql);
    } finally {
      await ds.destroy();
    }
  };
  await run(`CREATE DATABASE ${name}`);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return { url: url.toString(), name, drop: () => run(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

/**
 * A new, empty MySQL/MariaDB database (utf8mb4) on the TEST_MYSQL_URL server, and a way to drop it (after the
 * connections of its users are closed: MySQL has no DROP DATABASE … FORCE).
 */
export async function createMysqlDatabase(prefix = 'vault_t'): Promise<TestDatabase> {
  const admin = process.env.TEST_MYSQL_URL!;
  const name = `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const run = async (sql: string): Promise<void> => {
    const ds = new DataSource({ type: 'mysql', url: admin });
    await ds.initialize();
    try {
      await ds.query(sql);
    } finally {
      await ds.destroy();
    }
  };
  await run(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4`);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return { url: url.toString(), name, drop: () => run(`DROP DATABASE IF EXISTS \`${name}\``) };
}
