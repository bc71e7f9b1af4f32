import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { UserEntity } from './user.entity';
import { TimestampColumn } from '../columns';

@Entity({ name: 'folders' })
@Index('ix_folders_user', ['userId'])
export class FolderEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id!: string;
  @Column({ type: 'varchar', length: 36, name: 'user_id' }) userId!: string;
  /** Foreign key only (ON DELETE CASCADE); never loaded. */
  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE', nullable: false, createForeignKeyConstraints: true })
  @JoinColumn({ name: 'user_id' })
  private readonly fk_user_id?: UserEntity;

  @Column({ type: 'text' }) name!: string;
  @TimestampColumn({ name: 'creation_date' }) creationDate!: Date;
  @TimestampColumn({ name: 'revision_date' }) revisionDate!: Date;
}
