import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { TimestampColumn } from '../columns';
import { CipherEntity } from './cipher.entity';

/** A file on a cipher: its encrypted name and key, and the size of the encrypted bytes stored under ATTACHMENTS_FOLDER. */
@Entity({ name: 'attachments' })
export class AttachmentEntity {
  @PrimaryColumn({ type: 'varchar', length: 36, name: 'cipher_id' }) cipherId!: string;
  @PrimaryColumn({ type: 'varchar', length: 64 }) id!: string;
  /** Foreign key only (ON DELETE CASCADE); never loaded. */
  @ManyToOne(() => CipherEntity, { onDelete: 'CASCADE', nullable: false, createForeignKeyConstraints: true })
  @JoinColumn({ name: 'cipher_id' })
  private readonly fk_cipher_id?: CipherEntity;

  @Column({ type: 'text', name: 'file_name' }) fileName!: string;
  @Column({ type: 'bigint', name: 'file_size' }) fileSize!: number;
  @Column({ type: 'text', name: 'akey', nullable: true }) key!: string | null;
  @Column({ type: 'boolean', default: true }) validated!: boolean;
  @TimestampColumn({ name: 'created_at' }) createdAt!: Date;
  /** The staged copy of a share (name, key, size of the re-encrypted file), applied when the cipher is shared. */
  @Column({ type: 'text', name: 'share_file_name', nullable: true }) shareFileName!: string | null;
  @Column({ type: 'text', name: 'share_akey', nullable: true }) shareKey!: string | null;
  @Column({ type: 'bigint', name: 'share_file_size', nullable: true }) shareFileSize!: number | null;
}
