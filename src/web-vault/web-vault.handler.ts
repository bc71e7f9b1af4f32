import express, { NextFunction, Request, RequestHandler, Response } from 'express';
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { getLogger } from '../common/logging/logger';
import { AppConfig } from '../config/app-config';

const log = getLogger('WebVault');

/** Paths that belong to the API and the hubs: never answered from the web vault, so unknown ones stay JSON errors. */
const RESERVED = /^\/(api|identity|notifications|admin|events|icons|attachments|metrics)(\/|$)/;
/** A file name with a content hash in it (the build's `main.3f2a9c1e…js`): safe to cache for a year. */
const HASHED = /(^|[.-])[0-9a-f]{16,}\.|[.-][0-9a-f]{8,}\./i;

/** Vaultwarden's security headers for the web vault (permissions, referrer, sniffing, robots, cross-origin reads). */
const COMMON_HEADERS: Record<string, string> = {
  'Permissions-Policy': 'accelerometer=(), ambient-light-sensor=(), autoplay=(), battery=(), camera=(), display-capture=(), document-domain=(), encrypted-media=(), '
    + 'execution-while-not-rendered=(), execution-while-out-of-viewport=(), fullscreen=(), geolocation=(), gyroscope=(), keyboard-map=(), magnetometer=(), '
    + 'microphone=(), midi=(), payment=(), picture-in-picture=(), screen-wake-lock=(), sync-xhr=(), usb=(), web-share=(), xr-spatial-tracking=()',
  'Referrer-Policy': 'same-origin',
  'X-Content-Type-Options': 'nosniff',
  'X-Robots-Tag': 'noindex, nofollow',
  'X-XSS-Protection': '0',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/**
 * What the web vault needs and nothing more: its own scripts (and WebAssembly), inline styles, the browser
 * extensions as frame ancestors, and the few outside services its pages call (breach and 2FA-directory checks, mail
 * alias services), as Vaultwarden sends it.
 */
export function contentSecurityPolicy(icons: AppConfig['icons']): string {
  // With an outside icon service the clients load icons from there (the redirect target), as Vaultwarden allows it.
  const iconOrigin = typeof icons.service === 'object' ? ` ${new URL(icons.service.template.replace('{}', 'example.com')).origin}` : '';
  return [
    "default-src 'none'", "font-src 'self'", "manifest-src 'self'", "base-uri 'self'", "form-action 'self'", "media-src 'self'", "object-src 'self' blob:",
    "script-src 'self' 'wasm-unsafe-eval'", "style-src 'self' 'unsafe-inline'", "child-src 'self'", "frame-src 'self'",
    "frame-ancestors 'self' chrome-extension://nngceckbapebfimnlniiiahkandclblb chrome-extension://jbkfoedolllekgbhcbcoahefnbanhhlh moz-extension://*",
    `img-src 'self' data: https://haveibeenpwned.com${iconOrigin}`,
    "connect-src 'self' https://api.pwnedpasswords.com https://api.2fa.directory https://app.simplelogin.io/api/ https://app.addy.io/api/ https://api.fastmail.com/ https://api.forwardemail.net",
  ].join('; ');
}

function setSecurityHeaders(res: Response, path: string, csp: string): void {
  for (const [name, value] of Object.entries(COMMON_HEADERS)) res.setHeader(name, value);
  // The connector pages (WebAuthn, Duo, SSO) are opened in frames and popups by the clients: no CSP or frame refusal there.
  if (path.endsWith('connector.html')) return;
  res.setHeader('Content-Security-Policy', csp);
  res.setHeader('X-Frame-Options', 'SAMEORIGIN');
}

/** The page `/` answers when no web vault build is there. */
function missingPage(folder: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>Vaultwave</title></head><body>
<h1>Vaultwave is running</h1>
<p>No web vault is installed. Put a build of the Bitwarden web vault (its <code>index.html</code> and assets) in
<code>${folder.replace(/[<>&"]/g, '')}</code>, or point <code>WEB_VAULT_FOLDER</code> at one, and restart. The official
clients (desktop, browser extension, mobile apps, CLI) work without it: point them at this address.</p>
</body></html>`;
}

/**
 * Serves the web vault at the base path of DOMAIN (docs: configuration.md, "Web vault"): `index.html` never cached,
 * content-hashed assets cached a year, others a week, with Vaultwarden's security headers; `app-id.json` for FIDO
 * facets; `/index.html` redirects to `/`. Every other request (the API, identity, the hubs, unknown paths under
 * them) goes on to the routes untouched. Mounted at the base path by app.factory.
 */
export function webVaultHandler(config: AppConfig): RequestHandler {
  const { enabled, folder } = config.webVault;
  const csp = contentSecurityPolicy(config.icons);
  const installed = enabled && existsSync(join(folder, 'index.html'));
  if (enabled && !installed) log.warn({ folder }, 'web_vault.missing: / answers a page saying where to put a web vault build');
  const files = express.static(folder, {
    index: false, redirect: false, dotfiles: 'ignore', fallthrough: true, etag: true, lastModified: true,
    setHeaders: (res, path) => {
      res.setHeader('Cache-Control', HASHED.test(basename(path)) ? 'public, max-age=31536000, immutable' : 'public, max-age=604800');
    },
  });
  const appId = JSON.stringify({
    trustedFacets: [{ version: { major: 1, minor: 0 }, ids: [config.domain.origin, 'ios:bundle-id:com.8bit.bitwarden', 'android:apk-key-hash:dUGFzUzf3lmHSLBDBIv+WaFyZMI'] }],
  });

  return (req: Request, res: Response, next: NextFunction): void => {
    if (!enabled || (req.method !== 'GET' && req.method !== 'HEAD') || RESERVED.test(req.path)) {
      next();
      return;
    }
    setSecurityHeaders(res, req.path, csp);
    if (req.path === '/') {
      res.setHeader('Cache-Control', 'no-cache, no-store, max-age=0');
      if (installed) res.sendFile('index.html', { root: folder, cacheControl: false, lastModified: false, etag: false });
      else res.status(200).type('html').send(missingPage(folder));
      return;
    }
    if (req.path === '/index.html') {
      res.redirect(302, `${config.basePath}/`);
      return;
    }
    if (req.path === '/app-id.json') {
      res.setHeader('Cache-Control', 'public, max-age=604800');
      res.type('application/fido.trusted-apps+json').send(appId);
      return;
    }
    if (!installed) {
      next();
      return;
    }
    files(req, res, next);
  };
}
