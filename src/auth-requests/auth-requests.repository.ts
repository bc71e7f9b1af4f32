import { Injectable } from '@nestjs/common';
import { EntityManager, IsNull } from 'typeorm';
import { AuthRequestEntity } from '../db/entities';

@Injectable()
export class AuthRequestsRepository {
  findById(db: EntityManager, id: string): Promise<AuthRequestEntity | null> {
    return db.getRepository(AuthRequestEntity).findOne({ where: { id } });
  }

  findByIdAndUser(db: EntityManager, id: string, userId: string): Promise<AuthRequestEntity | null> {
    return db.getRepository(AuthRequestEntity).findOne({ where: { id, userId } });
  }

  findPendingByUser(db: EntityManager, userId: string): Promise<AuthRequestEntity[]> {
    return db.getRepository(AuthRequestEntity).find({ where: { userId, approved: IsNull() }, order: { creationDate: 'DESC' } });
  }

  async save(db: EntityManager, request: AuthRequestEntity): Promise<void> {
    await db.getRepository(AuthRequestEntity).save(request);
  }
}
