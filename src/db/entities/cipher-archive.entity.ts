import { Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { TimestampColumn } from '../columns';
import { CipherEntity } from './cipher.entity';
import { UserEntity } from './user.entity';

/**
 * A user's archive mark on an organization cipher: archiving a shared item hides it only for that user, as the
 * official schema's per-user `Archives` (docs/organizations-plan.md §11 Q11b). Personal ciphers keep theirs in
 * `ciphers.archived_date`.
 */
@Entity({ name: 'cipher_archives' })
@Index('ix_cipher_archives_cipher', ['cipherId'])
export class CipherArchiveEntity {
  @PrimaryColumn({ type: 'varchar', length: 36, name: 'user_id' }) userId!: string;
  @PrimaryColumn({ type: 'varchar', length: 36, name: 'cipher_id' }) cipherId!: string;
  /** Foreign key only (ON DELETE CASCADE); never loaded. */
  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE', nullable: false, createForeignKeyConstraints: true })
  @JoinColumn({ name: 'user_id' })
  private readonly fk_user_id?: UserEntity;

  /** Foreign key only (ON DELETE CASCADE); never loaded. */
  @ManyToOne(() => CipherEntity, { onDelete: 'CASCADE', nullable: false, createForeignKeyConstraints: true })
  @JoinColumn({ name: 'cipher_id' })
  private readonly fk_cipher_id?: CipherEntity;

  @TimestampColumn({ name: 'archived_date' }) archivedDate!: Date;
}
