/** Bitwarden DeviceType numbers and names (bitwarden/server DeviceType.cs). */
export const DEVICE_TYPE_NAMES: Record<number, string> = {
  0: 'Android', 1: 'iOS', 2: 'ChromeExtension', 3: 'FirefoxExtension', 4: 'OperaExtension', 5: 'EdgeExtension',
  6: 'WindowsDesktop', 7: 'MacOsDesktop', 8: 'LinuxDesktop', 9: 'ChromeBrowser', 10: 'FirefoxBrowser',
  11: 'OperaBrowser', 12: 'EdgeBrowser', 13: 'IEBrowser', 14: 'UnknownBrowser', 15: 'AndroidAmazon', 16: 'UWP',
  17: 'SafariBrowser', 18: 'VivaldiBrowser', 19: 'VivaldiExtension', 20: 'SafariExtension', 21: 'SDK', 22: 'Server',
  23: 'WindowsCLI', 24: 'MacOsCLI', 25: 'LinuxCLI', 26: 'DuckDuckGoBrowser',
};

/** Device types that receive pushes through the relay instead of a socket. */
export const MOBILE_DEVICE_TYPES = new Set([0, 1, 15]);

export function deviceTypeName(type: number): string {
  return DEVICE_TYPE_NAMES[type] ?? 'UnknownBrowser';
}
