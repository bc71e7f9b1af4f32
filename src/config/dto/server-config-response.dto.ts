/** GET /api/config (notifications.md §9; bitwarden/server ConfigResponseModel, read by clients as ServerConfigResponse). */
export interface ServerConfigResponseDto {
  version: string;
  gitHash: string | null;
  server: { name: string; url: string };
  settings: { disableUserRegistration: boolean; suppressOnboardingInterstitials: boolean };
  environment: {
    vault: string;
    api: string;
    identity: string;
    notifications: string;
    sso: string;
    cloudRegion: string | null;
  };
  /** `pushTechnology`: upstream PushTechnologyType, 0 = SignalR, 1 = WebPush (with `vapidPublicKey`). */
  push: { pushTechnology: number; vapidPublicKey: string | null };
  featureStates: Record<string, boolean>;
  communication: null;
  object: 'config';
}
