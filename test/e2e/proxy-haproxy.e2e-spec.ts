// HAProxy from the Debian package, with docs/proxy/haproxy.cfg and haproxy-subpath.cfg.
import { proxySuite } from './proxy-harness';

proxySuite('haproxy', 'HAProxy behind-proxy deployment (docs/proxy/haproxy.cfg)', { template: 'haproxy.cfg' });
proxySuite('haproxy', 'HAProxy sub-path deployment, DOMAIN=https://host/vault (docs/proxy/haproxy-subpath.cfg)', { template: 'haproxy-subpath.cfg', basePath: '/vault', doctor: 'none' });
