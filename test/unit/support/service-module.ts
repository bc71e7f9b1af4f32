// TEST CODE ONLY: the service tier. The application's real modules (services, repositories, UnitOfWork, EventBus)
// in a Nest testing module on an in-memory SQLite database with the real migrations: no HTTP server, no TLS, no
// sockets. What is chosen rather than real: the database (`:memory:`), the Clock (a settable one, as the style
// guide intends), and the log level (TEST_LOG_LEVEL, default warn).
import { Type } from '@nestjs/common';
import { Test, TestingModule } from '@nestjs/testing';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { AppModule } from '../../../src/app.module';
import { AuthContext } from '../../../src/common/auth/auth-context';
import { SessionService } from '../../../src/common/auth/session.service';
import { TokenService } from '../../../src/common/auth/token.service';
import { configureLogging, NestPinoLogger } from '../../../src/common/logging/logger';
import { Clock } from '../../../src/common/time/clock';
import { AppConfig, loadConfig } from '../../../src/config/app-config';
import { dataSourceOptions } from '../../../src/db/data-source';
import { DeviceEntity, UserEntity } from '../../../src/db/entities';
import { runMigrations } from '../../../src/db/migrate';
import { DATA_SOURCE, UnitOfWork } from '../../../src/db/unit-of-work';
import { DomainEventMap, DomainEventName } from '../../../src/event-bus/domain-events';
import { EventBus } from '../../../src/event-bus/event-bus.service';
import { hashMasterPasswordHash } from '../../../src/accounts/password-hasher';
import { WIRE_TABLE } from '../../../src/wire/wire-table';

/** A settable clock: services read "now" only through Clock, so tests decide what time it is. */
export class TestClock extends Clock {
  private current: number;

  /** Starts at `start`, by default the current time rounded down to the second (tokens are checked against real time). */
  constructor(start?: Date | string) {
    super();
    this.current = start === undefined ? Math.floor(Date.now() / 1000) * 1000 : new Date(start).getTime();
  }

  override now(): Date {
    return new Date(this.current);
  }

  set(date: Date | string): Date {
    this.current = new Date(date).getTime();
    return this.now();
  }

  /** Moves time forward by `ms` (default one second) and returns the new now. */
  advance(ms = 1_000): Date {
    this.current += ms;
    return this.now();
  }
}

/** Every domain event (the wire table has a row for each: a new event is a compile error there until it has one). */
const ALL_EVENTS = Object.keys(WIRE_TABLE) as DomainEventName[];

export type Recorded = { [K in DomainEventName]: { name: K; payload: DomainEventMap[K] } }[DomainEventName];

/**
 * Records every domain event that committed, in emission order (an after-commit listener registered with
 * `EventBus.on`, as any consumer would be): a write that rolled back records nothing.
 */
export class EventRecorder {
  private recorded: Recorded[] = [];

  constructor(bus: EventBus, private readonly uow: UnitOfWork) {
    for (const name of ALL_EVENTS) {
      bus.on(name, 'afterCommit', 'service-test-recorder', (payload) => {
        this.recorded.push({ name, payload } as Recorded);
      });
    }
  }

  /** Waits for every after-commit hook scheduled so far, then returns the events since the last take and clears them. */
  async take(): Promise<Recorded[]> {
    await this.uow.drain();
    const out = this.recorded;
    this.recorded = [];
    return out;
  }

  /** `take()`, reduced to the event names. */
  async names(): Promise<DomainEventName[]> {
    return (await this.take()).map((event) => event.name);
  }

  /** `take()`, keeping the events of one name (typed payloads). */
  async of<K extends DomainEventName>(name: K): Promise<Array<DomainEventMap[K]>> {
    return (await this.take()).filter((event) => event.name === name).map((event) => event.payload as DomainEventMap[K]);
  }
}

/** A user inserted straight into the database, with one device and the AuthContext of that device's session. */
export interface TestUser {
  id: string;
  email: string;
  /** The client-side master password hash the account was created with. */
  masterPasswordHash: string;
  deviceId: string;
  deviceIdentifier: string;
  /** Resolved by the real SessionService from a real access token, as the guard would. */
  auth: AuthContext;
}

export interface ServiceHarness {
  module: TestingModule;
  config: AppConfig;
  db: DataSource;
  clock: TestClock;
  events: EventRecorder;
  get<T>(type: Type<T>): T;
  /** A new enabled user with keys and one web-vault device (type 9). */
  newUser(overrides?: { email?: string; enabled?: boolean }): Promise<TestUser>;
  /** Another device of `user` (type 9 unless given), and the AuthContext of its session. */
  newDevice(user: TestUser, overrides?: { type?: number; pushToken?: string | null }): Promise<AuthContext>;
  close(): Promise<void>;
}

export interface ServiceHarnessOptions {
  /** Environment overrides, exactly as the environment would set them. */
  env?: Record<string, string>;
}

/** Lowest server-side PBKDF2 count the configuration accepts: the few tests that hash stay fast. */
const PASSWORD_ITERATIONS = '100000';

/** One master password (and its slow hash) shared by every seeded user of a test file: seeding hashes once. */
const SEED_PASSWORD = randomBytes(32).toString('base64');
let seedHash: Promise<{ hash: string; salt: string; iterations: number }> | null = null;

/** A valid-looking EncString (type 2: iv|data|mac, base64). */
export function encString(seed = randomBytes(8).toString('hex')): string {
  const b64 = (n: number): string => randomBytes(n).toString('base64');
  return `2.${b64(16)}|${Buffer.from(seed).toString('base64')}${b64(12)}|${b64(32)}`;
}

let counter = 0;

/**
 * Builds the service tier: the application's own module graph (`AppModule.forRoot(config)`, so it always has
 * the modules the server has) with the hubs and push off, the DataSource provider replaced by an in-memory
 * SQLite database migrated with the real migrations, and a settable Clock. Nothing listens on a port and no
 * HTTP adapter exists. Call `close()` in `afterAll`.
 */
export async function createServiceHarness(options: ServiceHarnessOptions = {}): Promise<ServiceHarness> {
  const dataFolder = mkdtempSync(join(tmpdir(), 'vault-unit-'));
  const { config } = loadConfig({
    DATA_FOLDER: dataFolder,
    DOMAIN: 'https://vault.example.test',
    PASSWORD_ITERATIONS,
    // Jobs are driven by the tests, never by timers.
    AUTH_REQUEST_PURGE_SCHEDULE: '',
    EMERGENCY_REQUEST_TIMEOUT_SCHEDULE: '',
    EMERGENCY_NOTIFICATION_REMINDER_SCHEDULE: '',
    UNAUTHENTICATED_RATELIMIT_MAX_BURST: '100000',
    ENABLE_WEBSOCKET: 'false',
    PUSH_ENABLED: 'false',
    ...options.env,
  });
  configureLogging({ ...config.log, level: process.env.TEST_LOG_LEVEL ?? 'warn', format: 'json' });
  const clock = new TestClock();

  let module: TestingModule;
  try {
    module = await Test.createTestingModule({ imports: [AppModule.forRoot(config)] })
      .overrideProvider(DATA_SOURCE)
      .useFactory({ factory: () => createMemoryDataSource(config) })
      .overrideProvider(Clock)
      .useValue(clock)
      .setLogger(new NestPinoLogger())
      .compile();
    await module.init();
  } catch (error) {
    rmSync(dataFolder, { recursive: true, force: true });
    throw error;
  }

  const db = module.get<DataSource>(DATA_SOURCE);
  const events = new EventRecorder(module.get(EventBus), module.get(UnitOfWork));
  const tokens = module.get(TokenService);
  const sessions = module.get(SessionService);

  const session = async (user: UserEntity, device: DeviceEntity): Promise<AuthContext> => {
    // Issued at the test clock's time: tokens are checked against the same Clock.
    const { token } = tokens.issueAccessToken({
      user: { id: user.id, email: user.email, name: user.name, emailVerified: true, securityStamp: user.securityStamp },
      device: { identifier: device.identifier, type: device.type },
      clientId: 'web',
      scope: ['api', 'offline_access'],
      amr: ['Application'],
    }, clock.now());
    const auth = await sessions.authenticate(token);
    if (!auth) throw new Error('seeded session did not authenticate');
    return auth;
  };

  const insertDevice = async (userId: string, type: number, pushToken: string | null): Promise<DeviceEntity> => {
    const now = clock.now();
    const device = Object.assign(new DeviceEntity(), {
      id: randomUUID(), userId, identifier: randomUUID(), name: 'test device', type, active: true,
      refreshTokenHash: randomBytes(32).toString('hex'), refreshTokenLastUsedAt: now, pushToken,
      hubDisconnectedAt: null, creationDate: now, revisionDate: now,
    } satisfies Partial<DeviceEntity>);
    await db.getRepository(DeviceEntity).insert(device);
    return device;
  };

  const harness: ServiceHarness = {
    module,
    config,
    db,
    clock,
    events,
    get: (type) => module.get(type),
    async newUser(overrides = {}) {
      counter += 1;
      seedHash ??= hashMasterPasswordHash(SEED_PASSWORD, config.passwordIterations);
      const password = await seedHash;
      const now = clock.now();
      const user = Object.assign(new UserEntity(), {
        id: randomUUID(), email: overrides.email ?? `user${counter}-${randomBytes(4).toString('hex')}@example.com`, name: `Test User ${counter}`,
        emailVerified: true, enabled: true, passwordHash: password.hash, passwordSalt: password.salt, passwordIterations: password.iterations,
        passwordHint: null, kdfType: 0, kdfIterations: 600_000, kdfMemory: null, kdfParallelism: null,
        userKey: encString('user-key'), privateKey: encString('private-key'), publicKey: randomBytes(294).toString('base64'), userKeyId: null,
        securityStamp: randomUUID(), apiKey: randomBytes(15).toString('hex'), culture: 'en-US', avatarColor: null,
        equivalentDomains: '[]', excludedGlobalDomains: '[]', creationDate: now, updatedDate: now, revisionDate: now,
      } satisfies Partial<UserEntity>);
      await db.getRepository(UserEntity).insert(user);
      const device = await insertDevice(user.id, 9, null);
      const auth = await session(user, device);
      if (overrides.enabled === false) await db.getRepository(UserEntity).update({ id: user.id }, { enabled: false });
      return { id: user.id, email: user.email, masterPasswordHash: SEED_PASSWORD, deviceId: device.id, deviceIdentifier: device.identifier, auth };
    },
    async newDevice(user, overrides = {}) {
      const device = await insertDevice(user.id, overrides.type ?? 9, overrides.pushToken ?? null);
      return session(await db.getRepository(UserEntity).findOneByOrFail({ id: user.id }), device);
    },
    async close() {
      try {
        await module.close();
      } finally {
        rmSync(dataFolder, { recursive: true, force: true });
      }
    },
  };
  return harness;
}

/**
 * The application's SQLite options (entities, migrations, naming strategy, pragmas) on `:memory:`, migrated up
 * by the same runner as at startup. DATABASE_URL cannot name an in-memory database, so this replaces only the
 * DATA_SOURCE provider; DatabaseModule still destroys it on shutdown.
 */
export async function createMemoryDataSource(config: AppConfig): Promise<DataSource> {
  const options = dataSourceOptions(config);
  if (options.type !== 'better-sqlite3') throw new Error(`the service tier runs on SQLite, not ${options.type}`);
  const dataSource = new DataSource({ ...options, database: ':memory:' });
  await dataSource.initialize();
  await runMigrations(dataSource);
  return dataSource;
}
