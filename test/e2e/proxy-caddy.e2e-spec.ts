// Caddy 2 from the Debian package, with docs/proxy/Caddyfile and Caddyfile-subpath.
import { proxySuite } from './proxy-harness';

proxySuite('caddy', 'Caddy behind-proxy deployment (docs/proxy/Caddyfile)', { template: 'Caddyfile' });
proxySuite('caddy', 'Caddy sub-path deployment, DOMAIN=https://host/vault (docs/proxy/Caddyfile-subpath)', { template: 'Caddyfile-subpath', basePath: '/vault', doctor: 'none' });
