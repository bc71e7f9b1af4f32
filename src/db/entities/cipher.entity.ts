import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { UserEntity } from './user.entity';
import { TimestampColumn } from '../columns';

@Entity({ name: 'ciphers' })
@Index('ix_ciphers_user', ['userId'])
@Index('ix_ciphers_organization', ['organizationId'])
export class CipherEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id!: string;
  @Column({ type: 'varchar', length: 36, name: 'user_id', nullable: true }) userId!: string | null;
  /** Foreign key only (ON DELETE CASCADE); never loaded. */
  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE', nullable: true, createForeignKeyConstraints: true })
  @JoinColumn({ name: 'user_id' })
  private readonly fk_user_id?: UserEntity;

  @Column({ type: 'varchar', length: 36, name: 'organization_id', nullable: true }) organizationId!: string | null;
  @Column({ type: 'integer' }) type!: number;
  @Column({ type: 'text' }) name!: string;
  @Column({ type: 'text', nullable: true }) notes!: string | null;
  /** Per-item key wrapped by the user (or organization) key. */
  @Column({ type: 'text', nullable: true }) key!: string | null;
  @Column({ type: 'integer', default: 0 }) reprompt!: number;
  /** JSON text of the type-specific object (login, card, identity, secureNote, sshKey). */
  @Column({ type: 'text' }) data!: string;
  /** JSON text of the custom fields array, or null. */
  @Column({ type: 'text', nullable: true }) fields!: string | null;
  /** JSON text of the password history array, or null. */
  @Column({ type: 'text', name: 'password_history', nullable: true }) passwordHistory!: string | null;
  @TimestampColumn({ name: 'creation_date' }) creationDate!: Date;
  @TimestampColumn({ name: 'revision_date' }) revisionDate!: Date;
  @TimestampColumn({ name: 'deleted_date', nullable: true }) deletedDate!: Date | null;
  @TimestampColumn({ name: 'archived_date', nullable: true }) archivedDate!: Date | null;
}
