import { sizeName } from '../../common/http/size-name';
import { toAttachmentResponse } from './attachment-response.dto';

/**
 * Expected values worked out by hand from the official ReadableBytesSize (docs/attachments-plan.md §3.3):
 * < 1024 → "N Bytes"; < 1 MiB → size / 1024; < 1 GiB → (size >> 10) / 1024; else (size >> 20) / 1024;
 * each "0.##" (at most two decimals, trailing zeros dropped).
 */
describe('sizeName', () => {
  it.each<[number, string]>([
    [0, '0 Bytes'],
    [1, '1 Bytes'],
    [500, '500 Bytes'],
    [1023, '1023 Bytes'],
    [1024, '1 KB'],
    [1536, '1.5 KB'],
    // 1280 / 1024 = 1.25
    [1280, '1.25 KB'],
    // 300256 / 1024 = 293.21875 → 293.22
    [300256, '293.22 KB'],
    // 1152 / 1024 = 1.125 exactly: "0.##" rounds the midpoint away from zero
    [1152, '1.13 KB'],
    // 1048575 / 1024 = 1023.9990234375 → 1024.00 → "1024" (still below 1 MiB, so KB)
    [1048575, '1024 KB'],
    [1048576, '1 MB'],
    // 1054719 >> 10 = 1029 → 1029 / 1024 = 1.00488… → "1"; without the floor it would be 1.00586… → "1.01"
    [1054719, '1 MB'],
    [52428800, '50 MB'],
    // 1073741823 >> 10 = 1048575 → / 1024 = 1023.999… → "1024"
    [1073741823, '1024 MB'],
    [1073741824, '1 GB'],
    [1610612736, '1.5 GB'],
    // 1080033279 = 1029 * 2^20 + (2^20 - 1): >> 20 = 1029 → 1.00488… → "1"
    [1080033279, '1 GB'],
    // 5 GiB + 256 MiB = 5.25 GB
    [5637144576, '5.25 GB'],
  ])('%d bytes → %s', (bytes, expected) => {
    expect(sizeName(bytes)).toBe(expected);
  });
});

describe('toAttachmentResponse', () => {
  it('answers the official `attachment` shape: size as a string, sizeName, url as given', () => {
    const row = { id: 'abc123', fileName: '2.aa|bb|cc', key: '2.kk|ll|mm', fileSize: 52428800 };
    expect(toAttachmentResponse(row, 'https://vault.example/attachments/x/abc123?token=t')).toStrictEqual({
      object: 'attachment',
      id: 'abc123',
      url: 'https://vault.example/attachments/x/abc123?token=t',
      fileName: '2.aa|bb|cc',
      key: '2.kk|ll|mm',
      size: '52428800',
      sizeName: '50 MB',
    });
  });

  it('keeps a null key (pre-2018 attachments) as null, not absent', () => {
    const answer = toAttachmentResponse({ id: 'old', fileName: '2.a|b|c', key: null, fileSize: 500 }, 'u');
    expect(answer).toHaveProperty('key', null);
    expect(answer.size).toBe('500');
    expect(typeof answer.size).toBe('string');
    expect(answer.sizeName).toBe('500 Bytes');
    expect(JSON.parse(JSON.stringify(answer))).toHaveProperty('key', null);
  });
});
