import { Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { UserEntity } from './user.entity';
import { CipherEntity } from './cipher.entity';

/** A user's favourite mark on a cipher (per user, as ciphers may be shared). */
@Entity({ name: 'favorites' })
export class FavoriteEntity {
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

}
