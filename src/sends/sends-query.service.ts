import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { SendResponseDto, toSendResponse } from './dto/send-response.dto';
import { SendsRepository } from './sends.repository';

/** Read side of Sends that other features compose (sync). */
@Injectable()
export class SendsQueryService {
  constructor(private readonly repo: SendsRepository) {}

  /** Every Send of the user, expired and disabled ones included (the clients show them). */
  async listForUser(db: EntityManager, userId: string): Promise<SendResponseDto[]> {
    return (await this.repo.listByUser(db, userId)).map(toSendResponse);
  }
}
