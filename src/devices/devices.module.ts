import { Module } from '@nestjs/common';
import { UnauthenticatedRateLimiter } from '../common/http/unauthenticated-rate-limiter';
import { DevicesController } from './devices.controller';
import { DevicesRepository } from './devices.repository';
import { DevicesService } from './devices.service';

@Module({ controllers: [DevicesController], providers: [DevicesRepository, DevicesService, UnauthenticatedRateLimiter], exports: [DevicesService] })
export class DevicesModule {}
