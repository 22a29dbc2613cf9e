import { describeCountdown, formatCountdown, msUntil } from './time';

describe('countdown', () => {
  it('formats what is left, rounding up to the next second', () => {
    expect(formatCountdown(14 * 60_000 + 7_000)).toBe('14:07');
    expect(formatCountdown(9_001)).toBe('0:10');
    expect(formatCountdown(0)).toBe('0:00');
    expect(formatCountdown(3_723_000)).toBe('1:02:03');
  });

  it('never goes below zero', () => {
    expect(msUntil('2030-01-01T00:00:00Z', Date.parse('2030-01-01T00:00:05Z'))).toBe(0);
    expect(msUntil('not a date', 0)).toBe(0);
    expect(msUntil('2030-01-01T00:00:10Z', Date.parse('2030-01-01T00:00:05Z'))).toBe(5_000);
  });

  it('reads out in words', () => {
    expect(describeCountdown(61_000)).toBe('1 minute 1 second');
    expect(describeCountdown(120_000)).toBe('2 minutes');
    expect(describeCountdown(0)).toBe('0 seconds');
  });
});
