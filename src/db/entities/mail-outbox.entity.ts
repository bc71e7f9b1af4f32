import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { TimestampColumn } from '../columns';

export type MailOutboxStatus = 'pending' | 'sent' | 'failed';

/**
 * One mail waiting to be sent (src/mail). Written in the transaction of the change that causes it, rendered
 * already (the text a restart or another instance sends is the text the change produced); drained by the mail
 * worker, which claims a row with a lease so that instances sharing the database never send it twice at once.
 */
@Entity({ name: 'mail_outbox' })
@Index('ix_mail_outbox_status_next', ['status', 'nextAttemptAt'])
export class MailOutboxEntity {
  @PrimaryGeneratedColumn('increment', { type: 'integer' }) id!: number;
  /** Template name (for logs and diagnostics; the only part of a mail logged at info). */
  @Column({ type: 'varchar', length: 64 }) template!: string;
  /** JSON array of recipient addresses. */
  @Column({ type: 'text' }) recipients!: string;
  @Column({ type: 'text' }) subject!: string;
  /** Bodies may hold tokens (an invitation's accept link): never logged. */
  @Column({ type: 'text', name: 'text_body' }) textBody!: string;
  @Column({ type: 'text', name: 'html_body' }) htmlBody!: string;
  /** Message-ID header, the same on every attempt: a receiver can tell a resend after a lost answer from a new mail. */
  @Column({ type: 'varchar', length: 255, name: 'message_id' }) messageId!: string;
  @Column({ type: 'varchar', length: 16, default: 'pending' }) status!: MailOutboxStatus;
  @Column({ type: 'integer', default: 0 }) attempts!: number;
  @TimestampColumn({ name: 'next_attempt_at' }) nextAttemptAt!: Date;
  /** Lease of the worker sending the row; another instance may take it once it has passed. */
  @TimestampColumn({ name: 'claimed_until', nullable: true }) claimedUntil!: Date | null;
  /** A row still pending at this time is dropped (an invitation: when its token expires). */
  @TimestampColumn({ name: 'expires_at' }) expiresAt!: Date;
  /** Last SMTP answer or transport error (code and message); never a password or a body. */
  @Column({ type: 'text', name: 'last_error', nullable: true }) lastError!: string | null;
  @TimestampColumn({ name: 'created_at' }) createdAt!: Date;
  @TimestampColumn({ name: 'completed_at', nullable: true }) completedAt!: Date | null;
}
