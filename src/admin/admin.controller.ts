import { Body, Controller, Get, HttpCode, Inject, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ErrorCode } from '../common/errors/error-code';
import { VaultError } from '../common/errors/vault-error';
import { clientIp } from '../common/http/client-ip';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.tokens';
import { AdminLoginLimiter } from './admin-login-limiter';
import { diagnosticsPage, loginPage, organizationsPage, usersPage } from './admin-pages';
import { AdminSessionService } from './admin-session.service';
import { verifyAdminToken } from './admin-token';
import { AdminUser, AdminUsersService } from './admin-users.service';
import { AdminDiagnosticsService } from './admin-diagnostics.service';

type UserAction = 'deauth' | 'disable' | 'enable' | 'delete' | 'remove-2fa';

/**
 * The admin panel (/admin): server-rendered pages with plain forms (no script), and Vaultwarden's JSON routes for
 * admin scripts. Off (404) without ADMIN_TOKEN unless DISABLE_ADMIN_TOKEN. The session is an HttpOnly,
 * SameSite=Strict cookie; every POST must also come from this server's own origin when the browser says where it
 * comes from (Origin, Sec-Fetch-Site), so another site cannot act through a logged-in admin's browser.
 */
@Controller('admin')
export class AdminController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly session: AdminSessionService,
    private readonly limiter: AdminLoginLimiter,
    private readonly users: AdminUsersService,
    private readonly diagnostics: AdminDiagnosticsService,
  ) {}

  @Get()
  home(@Req() req: Request, @Res() res: Response): void {
    this.requireEnabled();
    if (this.session.valid(req.headers.cookie)) res.redirect(303, `${this.session.path}/users/overview`);
    else res.status(200).type('html').send(loginPage(this.config.basePath, null));
  }

  @Post()
  @HttpCode(200)
  async login(@Req() req: Request, @Res() res: Response, @Body() body: unknown): Promise<void> {
    this.requireEnabled();
    this.requireSameOrigin(req);
    const wait = this.limiter.hit(clientIp(req, this.config));
    if (wait > 0) {
      res.status(429).setHeader('Retry-After', String(wait));
      res.type('html').send(loginPage(this.config.basePath, 'Too many requests, try again later.'));
      return;
    }
    const token = typeof (body as { token?: unknown } | null)?.token === 'string' ? (body as { token: string }).token : '';
    const configured = this.config.adminToken;
    if (!this.config.admin.disableToken && (configured === null || !(await verifyAdminToken(configured, token)))) {
      res.status(401).type('html').send(loginPage(this.config.basePath, 'Invalid admin token, please try again.'));
      return;
    }
    const issued = this.session.issue();
    res.setHeader('Set-Cookie', this.session.cookie(issued.value, issued.maxAgeMs));
    res.redirect(303, `${this.session.path}/users/overview`);
  }

  @Get('logout')
  logout(@Res() res: Response): void {
    this.requireEnabled();
    res.setHeader('Set-Cookie', this.session.clearCookie());
    res.redirect(303, this.session.path);
  }

  // --- users ---

  @Get('users')
  async listUsers(@Req() req: Request): Promise<AdminUser[]> {
    this.requireSession(req);
    return this.users.list();
  }

  @Get('users/overview')
  async usersOverview(@Req() req: Request, @Res() res: Response): Promise<void> {
    if (!this.pageSession(req, res)) return;
    const done = typeof req.query.done === 'string' ? req.query.done : null;
    res.status(200).type('html').send(usersPage(this.config.basePath, await this.users.list(), await this.users.invitations(), done));
  }

  @Get('users/by-mail/:mail')
  async userByMail(@Req() req: Request, @Param('mail') mail: string): Promise<AdminUser> {
    this.requireSession(req);
    return this.users.byEmail(mail);
  }

  @Get('users/:id')
  async user(@Req() req: Request, @Param('id') id: string): Promise<AdminUser> {
    this.requireSession(req);
    return this.users.get(id);
  }

  @Post('users/:id/:action')
  async userAction(@Req() req: Request, @Res() res: Response, @Param('id') id: string, @Param('action') action: string): Promise<void> {
    this.requireSession(req);
    this.requireSameOrigin(req);
    const actions: Record<UserAction, () => Promise<void>> = {
      deauth: () => this.users.deauthorize(id),
      disable: () => this.users.setEnabled(id, false),
      enable: () => this.users.setEnabled(id, true),
      delete: () => this.users.delete(id),
      'remove-2fa': () => this.users.removeTwoFactor(id),
    };
    const run = actions[action as UserAction];
    if (!run || !/^[0-9a-f-]{36}$/i.test(id)) throw new VaultError(ErrorCode.NotFound);
    await run();
    this.done(req, res, `${this.session.path}/users/overview?done=${encodeURIComponent(`${action}: done`)}`);
  }

  /** POST /admin/invite `{email}` (Vaultwarden's route; JSON or the users page's form). */
  @Post('invite')
  async invite(@Req() req: Request, @Res() res: Response, @Body() body: unknown): Promise<void> {
    this.requireSession(req);
    this.requireSameOrigin(req);
    await this.users.invite(emailOf(body), false);
    this.done(req, res, `${this.session.path}/users/overview?done=${encodeURIComponent('invitation sent')}`);
  }

  /** POST /admin/invite/resend `{email}`: the invitation mail again. */
  @Post('invite/resend')
  async resendInvite(@Req() req: Request, @Res() res: Response, @Body() body: unknown): Promise<void> {
    this.requireSession(req);
    this.requireSameOrigin(req);
    await this.users.invite(emailOf(body), true);
    this.done(req, res, `${this.session.path}/users/overview?done=${encodeURIComponent('invitation sent again')}`);
  }

  // --- organizations ---

  @Get('organizations/overview')
  async organizationsOverview(@Req() req: Request, @Res() res: Response): Promise<void> {
    if (!this.pageSession(req, res)) return;
    res.status(200).type('html').send(organizationsPage(this.config.basePath, await this.users.organizationsOverview()));
  }

  @Post('organizations/:id/delete')
  async deleteOrganization(@Req() req: Request, @Res() res: Response, @Param('id') id: string): Promise<void> {
    this.requireSession(req);
    this.requireSameOrigin(req);
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw new VaultError(ErrorCode.OrganizationNotFound);
    await this.users.deleteOrganization(id.toLowerCase());
    this.done(req, res, `${this.session.path}/organizations/overview`);
  }

  // --- diagnostics ---

  @Get('diagnostics')
  async diagnosticsOverview(@Req() req: Request, @Res() res: Response): Promise<void> {
    if (!this.pageSession(req, res)) return;
    const doctor = req.query.doctor === '1' ? (await this.diagnostics.doctor()).text : null;
    res.status(200).type('html').send(diagnosticsPage(this.config.basePath, await this.diagnostics.facts(), doctor));
  }

  /** The test mail (JSON `{email}` as Vaultwarden's script sends it, or the diagnostics page's form). */
  @Post('test/smtp')
  async testMail(@Req() req: Request, @Res() res: Response, @Body() body: unknown): Promise<void> {
    this.requireSession(req);
    this.requireSameOrigin(req);
    const email = (body as { email?: unknown } | null)?.email;
    await this.diagnostics.sendTestMail(typeof email === 'string' ? email.trim() : '');
    this.done(req, res, `${this.session.path}/diagnostics`);
  }

  /** GET /admin/diagnostics/doctor: the WebSocket doctor against this server's own DOMAIN (JSON report). */
  @Get('diagnostics/doctor')
  async doctor(@Req() req: Request): Promise<unknown> {
    this.requireSession(req);
    return (await this.diagnostics.doctor()).report;
  }

  @Get('diagnostics/config')
  async diagnosticsJson(@Req() req: Request): Promise<Record<string, string | number | boolean | null>> {
    this.requireSession(req);
    return this.diagnostics.facts();
  }

  // --- helpers ---

  private requireEnabled(): void {
    if (!this.session.enabled) throw new VaultError(ErrorCode.NotFound);
  }

  /** JSON routes: 401 without a session. */
  private requireSession(req: Request): void {
    this.requireEnabled();
    if (!this.session.valid(req.headers.cookie)) throw new VaultError(ErrorCode.InvalidToken, 'Authorization failed.');
  }

  /** Page routes: the login page (401) without a session. */
  private pageSession(req: Request, res: Response): boolean {
    this.requireEnabled();
    if (this.session.valid(req.headers.cookie)) return true;
    res.status(401).type('html').send(loginPage(this.config.basePath, null));
    return false;
  }

  /**
   * A state change from another site is refused, whatever cookie it carries (403). The browser says where a post
   * comes from: `Sec-Fetch-Site`, and `Origin`, which must name this server, as DOMAIN or as the host the request was
   * sent to (an admin reaching the panel at another address than DOMAIN, e.g. on the LAN, is not locked out).
   * Scripts send neither and rely on the cookie alone, as with Vaultwarden.
   */
  private requireSameOrigin(req: Request): void {
    const site = req.headers['sec-fetch-site'];
    if (site === 'cross-site' || site === 'same-site') throw new VaultError(ErrorCode.Forbidden, 'Cross-site request refused.');
    const origin = req.headers.origin;
    if (typeof origin !== 'string') return;
    let host: string;
    try {
      host = new URL(origin).host;
    } catch {
      throw new VaultError(ErrorCode.Forbidden, 'Cross-site request refused.');
    }
    const forwarded = req.headers['x-forwarded-host'];
    const ours = [new URL(this.config.domain.origin).host, req.headers.host, ...(typeof forwarded === 'string' ? [forwarded.split(',')[0]?.trim()] : [])];
    if (!ours.includes(host)) throw new VaultError(ErrorCode.Forbidden, 'Cross-site request refused.');
  }

  /** A form post goes back to its page; a script gets an empty 200, as from Vaultwarden. */
  private done(req: Request, res: Response, back: string): void {
    if (/application\/x-www-form-urlencoded/i.test(req.headers['content-type'] ?? '')) res.redirect(303, back);
    else res.status(200).json({});
  }
}

function emailOf(body: unknown): string {
  const email = (body as { email?: unknown } | null)?.email;
  return typeof email === 'string' ? email.trim() : '';
}
