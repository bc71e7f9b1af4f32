import { Entity, PrimaryColumn } from 'typeorm';

/** A user's favourite mark on a cipher (per user, as ciphers may be shared). */
@Entity({ name: 'favorites' })
export class FavoriteEntity {
  @PrimaryColumn({ type: 'varchar', length: 36, name: 'user_id' }) userId!: string;
  @PrimaryColumn({ type: 'varchar', length: 36, name: 'cipher_id' }) cipherId!: string;
}
