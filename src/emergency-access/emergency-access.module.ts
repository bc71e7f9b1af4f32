import { Module } from '@nestjs/common';
import { EmergencyAccessController } from './emergency-access.controller';

/** Emergency access (the lists only, for now: see EmergencyAccessController). */
@Module({ controllers: [EmergencyAccessController] })
export class EmergencyAccessModule {}
