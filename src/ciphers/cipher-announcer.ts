import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AccountRevisionService } from '../accounts/account-revision.service';
import { AuthContext } from '../common/auth/auth-context';
import { CipherEntity } from '../db/entities';
import { Tx } from '../db/unit-of-work';
import { CipherChange, DomainEventMap } from '../event-bus/domain-events';
import { EventBus } from '../event-bus/event-bus.service';
import { CiphersRepository } from './ciphers.repository';

export type BulkReason = DomainEventMap['CiphersBulkChanged']['reason'];
export type CipherEventName = 'CipherCreated' | 'CipherUpdated' | 'CipherDeleted';

/** Who is told of a change to a cipher: its owner, or every confirmed member assigned to one of its collections. */
export interface Audience { recipients: string[]; collectionIds: string[] | null }

/**
 * Who hears of cipher changes, and the events that tell them (notifications.md §7.1, §8.1): revision dates of
 * everyone told move with the change, in the same unit of work. Recipients are computed when called, so a caller
 * computes them before a delete and before and after a collection change.
 */
@Injectable()
export class CipherAnnouncer {
  constructor(
    private readonly repo: CiphersRepository,
    private readonly accountRevision: AccountRevisionService,
    private readonly bus: EventBus,
  ) {}

  /** The caller for a personal cipher, the members of its collections for a shared one. */
  async audience(db: EntityManager, auth: AuthContext, cipher: CipherEntity): Promise<Audience> {
    if (!cipher.organizationId) return { recipients: [auth.userId], collectionIds: null };
    const collectionIds = await this.repo.collectionsOf(db, cipher.id);
    return { recipients: await this.repo.membersOfCollections(db, collectionIds), collectionIds };
  }

  /** The members who see any of these organization ciphers now (personal ones add nobody). */
  async membersSeeing(db: EntityManager, ciphers: CipherEntity[]): Promise<string[]> {
    const shared = ciphers.filter((c) => c.organizationId !== null).map((c) => c.id);
    if (shared.length === 0) return [];
    const links = await this.repo.collectionLinks(db, shared);
    return this.repo.membersOfCollections(db, [...new Set([...links.values()].flat())]);
  }

  /** Moves the revision dates of everyone told and emits the change (one event, fanned out by the wire table). */
  async announce(tx: Tx, name: CipherEventName, auth: AuthContext, cipher: CipherEntity, revisionDate: Date, known?: Audience): Promise<void> {
    const audience = known ?? (await this.audience(tx.manager, auth, cipher));
    if (audience.recipients.length > 0) await this.accountRevision.bump(tx, audience.recipients, revisionDate);
    await this.emitCipher(tx, name, auth, cipher, revisionDate, audience);
  }

  /**
   * A change to what the cipher carries without a cipher request (an attachment added or removed): the cipher's
   * revision date becomes `now`, and everyone who sees it gets CipherUpdated, as for an edit.
   */
  async touched(tx: Tx, auth: AuthContext, cipher: CipherEntity, now: Date): Promise<void> {
    cipher.revisionDate = now;
    // The date alone: `cipher` may have been read before this transaction, and its content must not be written back.
    await this.repo.setDatesById(tx.manager, [cipher.id], { revisionDate: now });
    await this.announce(tx, 'CipherUpdated', auth, cipher, now);
  }

  emitCipher(tx: Tx, name: CipherEventName, auth: AuthContext, cipher: CipherEntity, revisionDate: Date, audience: Audience): Promise<void> {
    const change: CipherChange = {
      cipherId: cipher.id,
      userId: cipher.organizationId ? null : auth.userId,
      organizationId: cipher.organizationId,
      collectionIds: audience.collectionIds,
      revisionDate,
      recipients: audience.recipients,
      actor: auth.actor,
    };
    return this.bus.emit(tx, name, change);
  }

  /** One SyncCiphers/SyncVault for a multi-item change: the caller first, then every other member it reached. */
  async bulk(tx: Tx, auth: AuthContext, kind: 'ciphers' | 'vault', reason: BulkReason, now: Date, others: string[] = []): Promise<void> {
    const userIds = [...new Set([auth.userId, ...others])];
    await this.accountRevision.bump(tx, userIds, now);
    await this.bus.emit(tx, 'CiphersBulkChanged', { userIds, kind, reason, actor: auth.actor });
  }
}
