import { HubTimestamp, formatHubDate } from './hub-timestamp';

describe('HubTimestamp', () => {
  it('fromDate splits milliseconds into seconds and nanoseconds', () => {
    const ts = HubTimestamp.fromDate(new Date('2024-05-01T12:34:56.789Z'));
    expect(ts).toEqual(new HubTimestamp(1714566896, 789000000));
    expect(HubTimestamp.fromDate(new Date(-1))).toEqual(new HubTimestamp(-1, 999000000));
  });

  it('toDate truncates to milliseconds', () => {
    expect(new HubTimestamp(1714566896, 789012000).toDate().toISOString()).toBe('2024-05-01T12:34:56.789Z');
  });

  it('toRfc3339 writes six fractional digits', () => {
    expect(new HubTimestamp(1714566896, 789012000).toRfc3339()).toBe('2024-05-01T12:34:56.789012Z');
    expect(new HubTimestamp(1714566896, 1000).toRfc3339()).toBe('2024-05-01T12:34:56.000001Z');
    expect(formatHubDate(new Date('2024-05-01T12:34:56Z'))).toBe('2024-05-01T12:34:56.000000Z');
  });

  it('rejects invalid components and invalid dates', () => {
    expect(() => new HubTimestamp(1.5, 0)).toThrow(RangeError);
    expect(() => new HubTimestamp(0, -1)).toThrow(RangeError);
    expect(() => new HubTimestamp(0, 1e9)).toThrow(RangeError);
    expect(() => HubTimestamp.fromDate(new Date(NaN))).toThrow(RangeError);
  });
});
