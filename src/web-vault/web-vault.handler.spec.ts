import { loadConfig } from '../config/app-config';
import { contentSecurityPolicy } from './web-vault.handler';

const imgSrc = (env: Record<string, string>): string | undefined =>
  contentSecurityPolicy(loadConfig({ DATA_FOLDER: '/tmp/vault-csp-spec', ...env }).config.icons).split('; ').find((d) => d.startsWith('img-src '));

describe('the web vault CSP', () => {
  it('lets images come from the outside icon service the icons route redirects to, and from nowhere else', () => {
    expect(imgSrc({})).toBe("img-src 'self' data: https://haveibeenpwned.com");
    expect(imgSrc({ ICON_SERVICE: 'duckduckgo' })).toBe("img-src 'self' data: https://haveibeenpwned.com https://icons.duckduckgo.com");
    expect(imgSrc({ ICON_SERVICE: 'https://icons.example.net:8443/get/{}.png' })).toBe("img-src 'self' data: https://haveibeenpwned.com https://icons.example.net:8443");
  });
});
