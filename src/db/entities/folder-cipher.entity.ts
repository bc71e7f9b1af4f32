import { Entity, Index, PrimaryColumn } from 'typeorm';

/** Folder assignment of a cipher; per user, because folders belong to users. */
@Entity({ name: 'folder_ciphers' })
@Index('ix_folder_ciphers_folder', ['folderId'])
export class FolderCipherEntity {
  @PrimaryColumn({ type: 'varchar', length: 36, name: 'cipher_id' }) cipherId!: string;
  @PrimaryColumn({ type: 'varchar', length: 36, name: 'folder_id' }) folderId!: string;
}
