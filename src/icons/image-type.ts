/**
 * The content type of an icon, told from its first bytes (never from what the site claimed): PNG, ICO, WebP, JPEG,
 * GIF, BMP, SVG. Anything else (an HTML error page, garbage, an empty body) is not an icon: null. The signatures are
 * the published ones (PNG spec, RIFF/WebP, JFIF/EXIF SOI + marker, GIF87a/89a, BITMAPFILEHEADER, ICONDIR).
 */
export function sniffImageType(bytes: Uint8Array): string | null {
  const at = (offset: number, ...expected: number[]): boolean => expected.every((value, i) => bytes[offset + i] === value);
  if (at(0, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'image/png';
  // ICONDIR: reserved 0, type 1 (icon), then a non-zero image count.
  if (bytes.length >= 6 && at(0, 0, 0, 1, 0) && ((bytes[4] ?? 0) | ((bytes[5] ?? 0) << 8)) > 0) return 'image/x-icon';
  if (at(0, 0x52, 0x49, 0x46, 0x46) && at(8, 0x57, 0x45, 0x42, 0x50)) return 'image/webp';
  if (at(0, 0xff, 0xd8, 0xff) && (bytes[3] ?? 0) >= 0xc0) return 'image/jpeg';
  if (at(0, 0x47, 0x49, 0x46, 0x38) && (at(4, 0x37) || at(4, 0x39)) && at(5, 0x61)) return 'image/gif';
  // "BM", file size, then two reserved 16-bit words that are 0.
  if (bytes.length >= 10 && at(0, 0x42, 0x4d) && at(6, 0, 0, 0, 0)) return 'image/bmp';
  if (isSvg(bytes)) return 'image/svg+xml';
  return null;
}

const SVG_OPEN = /^<svg[\s>]/i;
const XML_DECLARATION = /^<\?xml[\s?]/i;

/** `<svg …` at the start, or an XML declaration (and comments, doctype) with `<svg` in the first kilobyte. */
function isSvg(bytes: Uint8Array): boolean {
  const head = Buffer.from(bytes.subarray(0, 1024)).toString('utf8').replace(/^\uFEFF/, '').trimStart();
  if (SVG_OPEN.test(head)) return true;
  return XML_DECLARATION.test(head) && /<svg[\s>]/i.test(head);
}
