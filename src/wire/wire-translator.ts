import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Clock } from '../common/time/clock';
import { DomainEventMap, DomainEventName } from '../event-bus/domain-events';
import { WireMessage } from './wire-message';
import { revisionDatesNeeded, toWireMessages } from './wire-table';

/**
 * The port through which the accounts feature tells the wire table each user's account revision date
 * (read in the caller's transaction, or after commit).
 */
export abstract class RevisionDateSource {
  abstract revisionDates(db: EntityManager, userIds: string[]): Promise<Map<string, Date>>;
}

/** Runs `work` with a database handle. */
export type DbReader = <T>(work: (db: EntityManager) => Promise<T>) => Promise<T>;

/** Gives the pure wire table its context (the clock, revision dates) and returns its messages. */
@Injectable()
export class WireTranslator {
  constructor(private readonly dates: RevisionDateSource, private readonly clock: Clock) {}

  /**
   * `read` gives the database when the event needs revision dates (types 4, 5, 10): the caller's transaction,
   * or a read after commit. Every other event is translated without touching the database.
   */
  async translate<K extends DomainEventName>(name: K, event: DomainEventMap[K], read: DbReader): Promise<WireMessage[]> {
    const needed = revisionDatesNeeded(name, event);
    const dates = needed.length > 0 ? await read((db) => this.dates.revisionDates(db, needed)) : new Map<string, Date>();
    const now = this.clock.now();
    return toWireMessages(name, event, { now, revisionDate: (userId) => dates.get(userId) ?? now });
  }
}
