import { Injectable } from '@nestjs/common';
import { AuthContext } from '../common/auth/auth-context';
import { ListResponseDto, toListResponse } from '../common/http/list-response';
import { UnitOfWork } from '../db/unit-of-work';
import { CollectionDetailsResponseDto } from './dto/organization-response.dto';
import { OrganizationsQueryService } from './organizations-query.service';

/** GET /api/collections: the caller's collections with the caller's access, as in sync. */
@Injectable()
export class CollectionsQueryService {
  constructor(private readonly uow: UnitOfWork, private readonly query: OrganizationsQueryService) {}

  forUser(auth: AuthContext): Promise<ListResponseDto<CollectionDetailsResponseDto>> {
    return this.uow.read(async (db) => toListResponse(await this.query.collectionsForUser(db, auth.userId)));
  }
}
