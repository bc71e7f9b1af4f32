import { Inject, Injectable } from '@nestjs/common';
import { TokenService } from '../common/auth/token.service';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.tokens';

const PURPOSE = 'admin';
/** Vaultwarden's cookie name, so admin scripts that keep a cookie jar work unchanged. */
export const ADMIN_COOKIE = 'VW_ADMIN';

/** The admin session: a signed token of its own purpose (never a user's token) in an HttpOnly, SameSite=Strict cookie. */
@Injectable()
export class AdminSessionService {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig, private readonly tokens: TokenService) {}

  /** The panel is on when a token is configured, or when DISABLE_ADMIN_TOKEN opens it without one. */
  get enabled(): boolean {
    return this.config.adminToken !== null || this.config.admin.disableToken;
  }

  get path(): string {
    return `${this.config.basePath}/admin`;
  }

  issue(): { value: string; maxAgeMs: number } {
    const seconds = this.config.admin.sessionMinutes * 60;
    return { value: this.tokens.signPurposeToken(PURPOSE, 'admin', {}, seconds), maxAgeMs: seconds * 1000 };
  }

  /** Whether the request's cookie header carries a valid session (or the panel needs none). */
  valid(cookieHeader: string | undefined): boolean {
    if (this.config.admin.disableToken) return true;
    const value = readCookie(cookieHeader, ADMIN_COOKIE);
    return value !== null && this.tokens.verifyPurposeToken(PURPOSE, value) !== null;
  }

  cookie(value: string, maxAgeMs: number): string {
    const secure = this.config.domain.protocol === 'https:' ? '; Secure' : '';
    return `${ADMIN_COOKIE}=${value}; Path=${this.path}; Max-Age=${Math.floor(maxAgeMs / 1000)}; HttpOnly; SameSite=Strict${secure}`;
  }

  clearCookie(): string {
    return `${ADMIN_COOKIE}=; Path=${this.path}; Max-Age=0; HttpOnly; SameSite=Strict`;
  }
}

function readCookie(header: string | undefined, name: string): string | null {
  if (!header || header.length > 8192) return null;
  for (const part of header.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=') || null;
  }
  return null;
}
