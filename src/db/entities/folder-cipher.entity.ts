import { Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { FolderEntity } from './folder.entity';
import { CipherEntity } from './cipher.entity';

/** Folder assignment of a cipher; per user, because folders belong to users. */
@Entity({ name: 'folder_ciphers' })
@Index('ix_folder_ciphers_folder', ['folderId'])
export class FolderCipherEntity {
  @PrimaryColumn({ type: 'varchar', length: 36, name: 'cipher_id' }) cipherId!: string;
  @PrimaryColumn({ type: 'varchar', length: 36, name: 'folder_id' }) folderId!: string;
  /** Foreign key only (ON DELETE CASCADE); never loaded. */
  @ManyToOne(() => CipherEntity, { onDelete: 'CASCADE', nullable: false, createForeignKeyConstraints: true })
  @JoinColumn({ name: 'cipher_id' })
  private readonly fk_cipher_id?: CipherEntity;

  /** Foreign key only (ON DELETE CASCADE); never loaded. */
  @ManyToOne(() => FolderEntity, { onDelete: 'CASCADE', nullable: false, createForeignKeyConstraints: true })
  @JoinColumn({ name: 'folder_id' })
  private readonly fk_folder_id?: FolderEntity;

}
