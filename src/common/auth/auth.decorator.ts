import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { AuthContext } from './auth-context';

/** The caller of a guarded route. */
export const Auth = createParamDecorator((_data: unknown, ctx: ExecutionContext): AuthContext => {
  return ctx.switchToHttp().getRequest<{ user: AuthContext }>().user;
});
