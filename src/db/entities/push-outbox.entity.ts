import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { TimestampColumn } from '../columns';

/** `fanout`: the sends of one change to several users, expanded by the worker into `send` rows. */
export type PushOutboxKind = 'register' | 'delete' | 'send' | 'fanout';
export type PushOutboxStatus = 'pending' | 'failed' | 'done';

/**
 * One relay call waiting to be made (notifications.md §10.10). Written in the transaction of the change that
 * causes it; drained by the push outbox worker. The id orders the rows of a user.
 */
@Entity({ name: 'push_outbox' })
@Index('ix_push_outbox_status_next', ['status', 'nextAttemptAt'])
@Index('ix_push_outbox_user_status', ['userId', 'status'])
export class PushOutboxEntity {
  @PrimaryGeneratedColumn('increment', { type: 'integer' }) id!: number;
  @Column({ type: 'varchar', length: 32 }) kind!: PushOutboxKind;
  /** The recipient (send) or the device owner (register, delete). Not a foreign key: rows outlive accounts. */
  @Column({ type: 'varchar', length: 36, name: 'user_id' }) userId!: string;
  /** The device a register or delete is about. */
  @Column({ type: 'varchar', length: 36, name: 'device_id', nullable: true }) deviceId!: string | null;
  /** Update type of a send. */
  @Column({ type: 'integer', name: 'push_type', nullable: true }) pushType!: number | null;
  /** The JSON request body, exactly as it is posted. */
  @Column({ type: 'text' }) body!: string;
  /** Sends with the same user and key collapse into the newest while pending ("<type>:<id>"). */
  @Column({ type: 'varchar', length: 128, name: 'dedupe_key', nullable: true }) dedupeKey!: string | null;
  @Column({ type: 'varchar', length: 16, default: 'pending' }) status!: PushOutboxStatus;
  @Column({ type: 'integer', default: 0 }) attempts!: number;
  @TimestampColumn({ name: 'next_attempt_at' }) nextAttemptAt!: Date;
  /** Lease of the worker that is sending the row; another instance may take it once it has passed. */
  @TimestampColumn({ name: 'claimed_until', nullable: true }) claimedUntil!: Date | null;
  /** A row still pending at this time is dropped (send: 1 h; LogOut, register, delete: 24 h). */
  @TimestampColumn({ name: 'expires_at' }) expiresAt!: Date;
  /** Last relay answer or transport error (status and the relay's message); never a token. */
  @Column({ type: 'text', name: 'last_error', nullable: true }) lastError!: string | null;
  @TimestampColumn({ name: 'created_at' }) createdAt!: Date;
  @TimestampColumn({ name: 'completed_at', nullable: true }) completedAt!: Date | null;
}
