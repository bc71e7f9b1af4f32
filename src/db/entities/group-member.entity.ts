import { Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { GroupEntity } from './group.entity';
import { MembershipEntity } from './membership.entity';

/** A member's place in a group. */
@Entity({ name: 'group_members' })
@Index('ix_group_members_membership', ['membershipId'])
export class GroupMemberEntity {
  @PrimaryColumn({ type: 'varchar', length: 36, name: 'group_id' }) groupId!: string;
  @PrimaryColumn({ type: 'varchar', length: 36, name: 'membership_id' }) membershipId!: string;
  /** Foreign key only (ON DELETE CASCADE); never loaded. */
  @ManyToOne(() => GroupEntity, { onDelete: 'CASCADE', nullable: false, createForeignKeyConstraints: true })
  @JoinColumn({ name: 'group_id' })
  private readonly fk_group_id?: GroupEntity;

  /** Foreign key only (ON DELETE CASCADE); never loaded. */
  @ManyToOne(() => MembershipEntity, { onDelete: 'CASCADE', nullable: false, createForeignKeyConstraints: true })
  @JoinColumn({ name: 'membership_id' })
  private readonly fk_membership_id?: MembershipEntity;
}
