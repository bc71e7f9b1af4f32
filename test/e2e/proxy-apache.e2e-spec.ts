// Apache httpd 2.4 from the Debian package, with docs/proxy/apache.conf and apache-subpath.conf.
import { proxySuite } from './proxy-harness';

proxySuite('apache', 'Apache httpd behind-proxy deployment (docs/proxy/apache.conf)', { template: 'apache.conf' });
proxySuite('apache', 'Apache httpd sub-path deployment, DOMAIN=https://host/vault (docs/proxy/apache-subpath.conf)', { template: 'apache-subpath.conf', basePath: '/vault', doctor: 'none' });
