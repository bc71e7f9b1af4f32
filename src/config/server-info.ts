import { AppConfig } from './app-config';
import { ServerConfigResponseDto } from './dto/server-config-response.dto';

/** Bitwarden-server-style version the targeted clients accept (they gate features on it as SemVer). */
export const SERVER_VERSION = '2026.6.0';
export const SERVER_NAME = 'Vaultwave';
export const SERVER_URL = 'https://github.com/vaultwave/vaultwave';

/** GET /api/config (notifications.md §9). */
export function serverConfigResponse(config: AppConfig): ServerConfigResponseDto {
  const base = config.publicUrl;
  return {
    version: SERVER_VERSION,
    gitHash: null,
    server: { name: SERVER_NAME, url: SERVER_URL },
    settings: { disableUserRegistration: !config.signupsAllowed && config.signupsDomainsWhitelist.length === 0, suppressOnboardingInterstitials: false },
    environment: {
      vault: base,
      api: `${base}/api`,
      identity: `${base}/identity`,
      notifications: `${base}/notifications`,
      sso: '',
      cloudRegion: null,
    },
    push: { pushTechnology: 0, vapidPublicKey: null },
    featureStates: { 'cipher-key-encryption': true },
    communication: null,
    object: 'config',
  };
}
