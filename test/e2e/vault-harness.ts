// TEST CODE ONLY: the server plus a recorder of every domain event, and a small HTTP client for vault tests.
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { DATA_SOURCE, UnitOfWork } from '../../src/db/unit-of-work';
import { DomainEventMap, DomainEventName } from '../../src/event-bus/domain-events';
import { EventBus } from '../../src/event-bus/event-bus.service';
import { createTestApp, TestApp } from '../support/app';
import { encString, SeededUser, seedUser } from '../support/seed';
import { WIRE_TABLE } from '../../src/wire/wire-table';

export { encString };

/** Every domain event (the wire table has a row for each: a new event is a compile error there until it has one). */
const ALL_EVENTS = Object.keys(WIRE_TABLE) as DomainEventName[];

export interface Recorded<K extends DomainEventName = DomainEventName> {
  name: K;
  payload: DomainEventMap[K];
}

/** Parsed JSON of a response: tests read it freely and assert on it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface Res<T = Json> {
  status: number;
  body: T;
  text: string;
}

export interface VaultHarness {
  t: TestApp;
  db: DataSource;
  newUser(): Promise<SeededUser>;
  /** Performs the request, then waits until every after-commit listener has run. */
  call<T = Json>(user: SeededUser, method: string, path: string, body?: unknown): Promise<Res<T>>;
  /** Events recorded since the last call of take(), in emission order; clears the record. */
  take(): Recorded[];
  revisionDate(user: SeededUser): Promise<number>;
  close(): Promise<void>;
}

export async function startVault(env: Record<string, string> = {}): Promise<VaultHarness> {
  const t = await createTestApp(env);
  const bus = t.app.get(EventBus);
  const uow = t.app.get(UnitOfWork);
  let recorded: Recorded[] = [];
  for (const name of ALL_EVENTS) {
    bus.on(name, 'afterCommit', 'vault-test-recorder', (payload) => {
      recorded.push({ name, payload } as Recorded);
    });
  }
  const harness: VaultHarness = {
    t,
    db: t.app.get<DataSource>(DATA_SOURCE),
    newUser: () => seedUser(t.app),
    async call(user, method, path, body) {
      const headers: Record<string, string> = { Authorization: `Bearer ${user.token}` };
      if (body !== undefined) headers['Content-Type'] = 'application/json';
      const res = await fetch(`${t.baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await res.text();
      await uow.drain();
      return { status: res.status, text, body: text ? JSON.parse(text) : undefined };
    },
    take() {
      const out = recorded;
      recorded = [];
      return out;
    },
    async revisionDate(user) {
      const res = await harness.call<number>(user, 'GET', '/api/accounts/revision-date');
      expect(res.status).toBe(200);
      return res.body;
    },
    close: () => t.close(),
  };
  return harness;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The body of a login item as the web vault sends it, plus keys the server does not know (kept as sent). */
export function loginBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 1,
    name: encString('name'),
    notes: encString('notes'),
    favorite: false,
    reprompt: 0,
    key: encString('item-key'),
    lastKnownRevisionDate: null,
    login: {
      response: null,
      username: encString('username'),
      password: encString('password'),
      totp: encString('totp'),
      passwordRevisionDate: '2026-01-02T03:04:05.678Z',
      autofillOnPageLoad: true,
      uris: [
        { response: null, match: 3, uri: encString('uri-1'), uriChecksum: encString('sum-1') },
        { response: null, match: null, uri: encString('uri-2'), uriChecksum: encString('sum-2') },
      ],
      fido2Credentials: [
        {
          credentialId: encString('cred'), keyType: encString('kt'), keyAlgorithm: encString('ka'), keyCurve: encString('kc'),
          keyValue: encString('kv'), rpId: encString('rp'), userHandle: encString('uh'), userName: encString('un'),
          counter: encString('0'), rpName: encString('rpn'), userDisplayName: encString('udn'), discoverable: encString('true'),
          creationDate: '2026-01-01T00:00:00.000Z',
        },
      ],
      futureLoginField: { nested: [1, 2, 3] },
    },
    fields: [
      { response: null, type: 0, name: encString('f1'), value: encString('v1'), linkedId: null },
      { type: 3, name: encString('f2'), value: null, linkedId: 100 },
    ],
    passwordHistory: [{ lastUsedDate: '2026-01-01T00:00:00.000Z', password: encString('old') }],
    attachments: {},
    attachments2: {},
    ...overrides,
  };
}

export function randomName(): string {
  return encString(randomBytes(4).toString('hex'));
}
