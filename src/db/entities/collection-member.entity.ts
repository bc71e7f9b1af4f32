import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { CollectionEntity } from './collection.entity';
import { MembershipEntity } from './membership.entity';

/** A member's direct access to a collection. */
@Entity({ name: 'collection_members' })
@Index('ix_collection_members_membership', ['membershipId'])
export class CollectionMemberEntity {
  @PrimaryColumn({ type: 'varchar', length: 36, name: 'collection_id' }) collectionId!: string;
  @PrimaryColumn({ type: 'varchar', length: 36, name: 'membership_id' }) membershipId!: string;
  /** Foreign key only (ON DELETE CASCADE); never loaded. */
  @ManyToOne(() => CollectionEntity, { onDelete: 'CASCADE', nullable: false, createForeignKeyConstraints: true })
  @JoinColumn({ name: 'collection_id' })
  private readonly fk_collection_id?: CollectionEntity;

  /** Foreign key only (ON DELETE CASCADE); never loaded. */
  @ManyToOne(() => MembershipEntity, { onDelete: 'CASCADE', nullable: false, createForeignKeyConstraints: true })
  @JoinColumn({ name: 'membership_id' })
  private readonly fk_membership_id?: MembershipEntity;

  @Column({ type: 'boolean', name: 'read_only', default: false }) readOnly!: boolean;
  @Column({ type: 'boolean', name: 'hide_passwords', default: false }) hidePasswords!: boolean;
  @Column({ type: 'boolean', default: false }) manage!: boolean;
}
