import { Global, Module } from '@nestjs/common';
import { SessionSource } from '../common/auth/session-source';
import { SessionRepository } from './session.repository';

/** Provides the SessionSource port of common/auth to the whole application (the guard and the hub use it). */
@Global()
@Module({ providers: [SessionRepository, { provide: SessionSource, useExisting: SessionRepository }], exports: [SessionSource] })
export class SessionsModule {}
