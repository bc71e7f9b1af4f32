import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { UserInvitationEntity } from '../db/entities';

/** All SQL on `user_invitations`. */
@Injectable()
export class UserInvitationsRepository {
  async exists(db: EntityManager, email: string): Promise<boolean> {
    return (await db.getRepository(UserInvitationEntity).count({ where: { email } })) > 0;
  }

  /** Records the invitation (again: the date moves). */
  async upsert(db: EntityManager, email: string, at: Date): Promise<void> {
    await db.getRepository(UserInvitationEntity).upsert({ email, invitedAt: at }, ['email']);
  }

  async delete(db: EntityManager, email: string): Promise<void> {
    await db.getRepository(UserInvitationEntity).delete({ email });
  }

  async list(db: EntityManager): Promise<UserInvitationEntity[]> {
    return db.getRepository(UserInvitationEntity).find({ order: { invitedAt: 'ASC' } });
  }
}
