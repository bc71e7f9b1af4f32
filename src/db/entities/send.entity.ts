import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { TimestampColumn } from '../columns';
import { UserEntity } from './user.entity';

/** Send types. */
export enum SendType { Text = 0, File = 1 }

/** A Send: encrypted text or an encrypted file shared through a link (docs/sends-plan.md §1.3). */
@Entity({ name: 'sends' })
@Index('ix_sends_user', ['userId'])
@Index('ix_sends_deletion_date', ['deletionDate'])
export class SendEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id!: string;
  @Column({ type: 'varchar', length: 36, name: 'user_id' }) userId!: string;
  /** Foreign key only (ON DELETE CASCADE); never loaded. */
  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE', nullable: false, createForeignKeyConstraints: true })
  @JoinColumn({ name: 'user_id' })
  private readonly fk_user_id?: UserEntity;

  @Column({ type: 'smallint', name: 'atype' }) type!: SendType;
  @Column({ type: 'text' }) name!: string;
  @Column({ type: 'text', nullable: true }) notes!: string | null;
  @Column({ type: 'text', name: 'akey' }) key!: string;
  @Column({ type: 'text', name: 'text_value', nullable: true }) text!: string | null;
  @Column({ type: 'boolean', name: 'text_hidden', nullable: true, default: false }) textHidden!: boolean | null;
  @Column({ type: 'varchar', length: 64, name: 'file_id', nullable: true }) fileId!: string | null;
  @Column({ type: 'text', name: 'file_name', nullable: true }) fileName!: string | null;
  @Column({ type: 'bigint', name: 'file_size', nullable: true }) fileSize!: number | null;
  @Column({ type: 'boolean', name: 'file_validated', default: true }) fileValidated!: boolean;
  /** Base64 of PBKDF2-SHA256(the client's password hash, salt, iterations), Vaultwarden's scheme; null: no password. */
  @Column({ type: 'varchar', length: 128, name: 'password_hash', nullable: true }) passwordHash!: string | null;
  @Column({ type: 'varchar', length: 128, name: 'password_salt', nullable: true }) passwordSalt!: string | null;
  @Column({ type: 'integer', name: 'password_iter', nullable: true }) passwordIterations!: number | null;
  @Column({ type: 'integer', name: 'max_access_count', nullable: true }) maxAccessCount!: number | null;
  @Column({ type: 'integer', name: 'access_count', default: 0 }) accessCount!: number;
  @TimestampColumn({ name: 'creation_date' }) creationDate!: Date;
  @TimestampColumn({ name: 'revision_date' }) revisionDate!: Date;
  @TimestampColumn({ name: 'expiration_date', nullable: true }) expirationDate!: Date | null;
  @TimestampColumn({ name: 'deletion_date' }) deletionDate!: Date;
  @Column({ type: 'boolean', default: false }) disabled!: boolean;
  @Column({ type: 'boolean', name: 'hide_email', default: false }) hideEmail!: boolean;
}
