import { Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { CipherEntity } from './cipher.entity';
import { CollectionEntity } from './collection.entity';

/** An organization cipher's place in a collection. */
@Entity({ name: 'collection_ciphers' })
@Index('ix_collection_ciphers_cipher', ['cipherId'])
export class CollectionCipherEntity {
  @PrimaryColumn({ type: 'varchar', length: 36, name: 'collection_id' }) collectionId!: string;
  @PrimaryColumn({ type: 'varchar', length: 36, name: 'cipher_id' }) cipherId!: string;
  /** Foreign key only (ON DELETE CASCADE); never loaded. */
  @ManyToOne(() => CollectionEntity, { onDelete: 'CASCADE', nullable: false, createForeignKeyConstraints: true })
  @JoinColumn({ name: 'collection_id' })
  private readonly fk_collection_id?: CollectionEntity;

  /** Foreign key only (ON DELETE CASCADE); never loaded. */
  @ManyToOne(() => CipherEntity, { onDelete: 'CASCADE', nullable: false, createForeignKeyConstraints: true })
  @JoinColumn({ name: 'cipher_id' })
  private readonly fk_cipher_id?: CipherEntity;
}
