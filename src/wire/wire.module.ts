import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { WireTranslator } from './wire-translator';

/** The wire table and its translator, shared by the two consumers (notifications, push). */
@Module({ imports: [AccountsModule], providers: [WireTranslator], exports: [WireTranslator] })
export class WireModule {}
