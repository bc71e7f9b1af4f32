import { Module } from '@nestjs/common';
import { IconCache } from './icon-cache';
import { IconFetcher } from './icon-fetcher';
import { IconsController } from './icons.controller';
import { IconsService } from './icons.service';

/** Site icons: GET /icons/{host}/icon.png, fetched from the site and cached, or redirected to ICON_SERVICE. */
@Module({
  controllers: [IconsController],
  providers: [IconsService, IconCache, IconFetcher],
})
export class IconsModule {}
