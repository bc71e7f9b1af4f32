/** Up to two decimals, trailing zeros dropped (.NET's `0.##`). */
const twoPlaces = (value: number): string => String(Math.round(value * 100) / 100);

/** The official `ReadableBytesSize`: "500 Bytes", "1.5 KB", "50 MB", "1.25 GB". */
export function sizeName(bytes: number): string {
  if (bytes < 1024) return `${bytes} Bytes`;
  if (bytes < 1024 * 1024) return `${twoPlaces(bytes / 1024)} KB`;
  if (bytes < 1024 * 1024 * 1024) return `${twoPlaces(Math.floor(bytes / 1024) / 1024)} MB`;
  return `${twoPlaces(Math.floor(bytes / (1024 * 1024)) / 1024)} GB`;
}
