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

/** Gives the pure wire table its context (the clock, revision dates) and returns its messages. */
@Injectable()
export class WireTranslator {
  constructor(private readonly dates: RevisionDateSource, private readonly clock: Clock) {}

  async translate<K extends DomainEventName>(name: K, event: DomainEventMap[K], db: EntityManager): Promise<WireMessage[]> {
    const needed = revisionDatesNeeded(name, event);
    const dates = needed.length > 0 ? await this.dates.revisionDates(db, needed) : new Map<string, Date>();
    const now = this.clock.now();
    return toWireMessages(name, event, { now, revisionDate: (userId) => dates.get(userId) ?? now });
  }
}
