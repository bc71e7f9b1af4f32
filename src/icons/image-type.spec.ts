import { FALLBACK_ICON } from './fallback-icon';
import { sniffImageType } from './image-type';

const bytes = (...values: number[]): Buffer => Buffer.from(values);

describe('sniffImageType', () => {
  it.each([
    ['png', bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13), 'image/png'],
    ['ico', bytes(0, 0, 1, 0, 1, 0, 16, 16), 'image/x-icon'],
    ['webp', Buffer.concat([Buffer.from('RIFF'), bytes(0, 0, 0, 0), Buffer.from('WEBPVP8 ')]), 'image/webp'],
    ['jpeg', bytes(0xff, 0xd8, 0xff, 0xe0, 0, 16), 'image/jpeg'],
    ['gif89a', Buffer.from('GIF89a\x01\x00', 'latin1'), 'image/gif'],
    ['gif87a', Buffer.from('GIF87a\x01\x00', 'latin1'), 'image/gif'],
    ['bmp', Buffer.concat([Buffer.from('BM'), bytes(0x3a, 0, 0, 0, 0, 0, 0, 0, 0x36, 0)]), 'image/bmp'],
    ['svg', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"></svg>'), 'image/svg+xml'],
    ['svg after xml declaration', Buffer.from('<?xml version="1.0"?>\n<!-- c -->\n<svg width="1"></svg>'), 'image/svg+xml'],
    ['svg with BOM and blank lines', Buffer.from('\uFEFF\n  <svg viewBox="0 0 1 1"/>'), 'image/svg+xml'],
    ['the fallback icon', FALLBACK_ICON, 'image/png'],
  ])('%s', (_name, input, type) => {
    expect(sniffImageType(input)).toBe(type);
  });

  it.each([
    ['empty', Buffer.alloc(0)],
    ['html', Buffer.from('<!doctype html><html><body>Not found</body></html>')],
    ['xml without svg', Buffer.from('<?xml version="1.0"?><rss></rss>')],
    ['ico with no images', bytes(0, 0, 1, 0, 0, 0)],
    ['cursor (type 2)', bytes(0, 0, 2, 0, 1, 0)],
    ['riff but not webp', Buffer.concat([Buffer.from('RIFF'), bytes(0, 0, 0, 0), Buffer.from('WAVE')])],
    ['jpeg with a bad marker', bytes(0xff, 0xd8, 0xff, 0x01)],
    ['gif with a bad version', Buffer.from('GIF88a')],
    ['bm text', Buffer.from('BM is not a bitmap')],
    ['png signature cut short', bytes(0x89, 0x50, 0x4e, 0x47)],
    ['garbage', Buffer.from([0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5, 6, 7, 8])],
    ['svg word later', Buffer.from('hello <svg></svg>')],
  ])('%s is not an image', (_name, input) => {
    expect(sniffImageType(input)).toBeNull();
  });

  it('the fallback icon is a complete 32x32 RGBA PNG', () => {
    expect(FALLBACK_ICON.readUInt32BE(16)).toBe(32);
    expect(FALLBACK_ICON.readUInt32BE(20)).toBe(32);
    expect(FALLBACK_ICON[25]).toBe(6);
    expect(FALLBACK_ICON.subarray(-8, -4).toString('ascii')).toBe('IEND');
    expect(FALLBACK_ICON.length).toBeLessThan(1024);
  });
});
