import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { capturedLogs, createTestApp, TestApp } from '../support/app';
import { DATA_SOURCE, UnitOfWork } from '../../src/db/unit-of-work';
import { EventBus } from '../../src/event-bus/event-bus.service';
import { DomainEventMap } from '../../src/event-bus/domain-events';

const settings = (userId: string): DomainEventMap['UserSettingsChanged'] => ({ userId, actor: null });

describe('event bus: two phases on the real database', () => {
  let t: TestApp;
  let bus: EventBus;
  let uow: UnitOfWork;
  let ds: DataSource;
  const afterCommit: string[] = [];

  beforeAll(async () => {
    t = await createTestApp();
    bus = t.app.get(EventBus);
    uow = t.app.get(UnitOfWork);
    ds = t.app.get<DataSource>(DATA_SOURCE);
    await ds.query('CREATE TABLE bus_probe (id varchar(36) PRIMARY KEY)');
    bus.on('UserSettingsChanged', 'inTransaction', 'probe-writer', async (e, tx) => {
      await tx.manager.query('INSERT INTO bus_probe (id) VALUES (?)', [e.userId]);
      if (e.userId.startsWith('fail-in-tx')) throw new Error('listener refused');
    });
    bus.on('UserSettingsChanged', 'afterCommit', 'probe-reader', (e) => {
      afterCommit.push(e.userId);
    });
    bus.on('UserSettingsChanged', 'afterCommit', 'probe-thrower', (e) => {
      if (e.userId.startsWith('throw-after')) throw new Error('after-commit listener broke');
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('in-transaction rows commit with the change; after-commit listeners run once committed', async () => {
    const id = randomUUID();
    await uow.run((tx) => bus.emit(tx, 'UserSettingsChanged', settings(id)));
    await uow.drain();
    expect(await ds.query('SELECT id FROM bus_probe WHERE id = ?', [id])).toEqual([{ id }]);
    expect(afterCommit).toContain(id);
  });

  it('a rolled-back write leaves no listener row and delivers nothing', async () => {
    const id = randomUUID();
    await expect(uow.run(async (tx) => {
      await bus.emit(tx, 'UserSettingsChanged', settings(id));
      throw new Error('the change failed');
    })).rejects.toThrow('the change failed');
    const inTxFail = `fail-in-tx-${randomUUID()}`;
    await expect(uow.run((tx) => bus.emit(tx, 'UserSettingsChanged', settings(inTxFail)))).rejects.toThrow('listener refused');
    await uow.drain();
    expect(await ds.query('SELECT id FROM bus_probe WHERE id IN (?, ?)', [id, inTxFail])).toEqual([]);
    expect(afterCommit).not.toContain(id);
    expect(afterCommit).not.toContain(inTxFail);
  });

  it('an after-commit listener error is logged with the event name and never reaches the emitter', async () => {
    const id = `throw-after-${randomUUID()}`;
    await expect(uow.run((tx) => bus.emit(tx, 'UserSettingsChanged', settings(id)))).resolves.toBeUndefined();
    await uow.drain();
    expect(afterCommit).toContain(id); // the other listener still ran
    const line = capturedLogs.find((l) => l.includes('event.listener_failed') && l.includes('after-commit listener broke'));
    expect(line).toBeDefined();
    expect(JSON.parse(line!)).toMatchObject({ event: 'UserSettingsChanged', listener: 'probe-thrower' });
  });
});
