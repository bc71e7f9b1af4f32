import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { CollectionEntity } from './collection.entity';
import { GroupEntity } from './group.entity';

/** A group's access to a collection (every member of the group gets it). */
@Entity({ name: 'collection_groups' })
@Index('ix_collection_groups_group', ['groupId'])
export class CollectionGroupEntity {
  @PrimaryColumn({ type: 'varchar', length: 36, name: 'collection_id' }) collectionId!: string;
  @PrimaryColumn({ type: 'varchar', length: 36, name: 'group_id' }) groupId!: string;
  /** Foreign key only (ON DELETE CASCADE); never loaded. */
  @ManyToOne(() => CollectionEntity, { onDelete: 'CASCADE', nullable: false, createForeignKeyConstraints: true })
  @JoinColumn({ name: 'collection_id' })
  private readonly fk_collection_id?: CollectionEntity;

  /** Foreign key only (ON DELETE CASCADE); never loaded. */
  @ManyToOne(() => GroupEntity, { onDelete: 'CASCADE', nullable: false, createForeignKeyConstraints: true })
  @JoinColumn({ name: 'group_id' })
  private readonly fk_group_id?: GroupEntity;

  @Column({ type: 'boolean', name: 'read_only', default: false }) readOnly!: boolean;
  @Column({ type: 'boolean', name: 'hide_passwords', default: false }) hidePasswords!: boolean;
  @Column({ type: 'boolean', default: false }) manage!: boolean;
}
