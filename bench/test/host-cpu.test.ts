import { describe, expect, it } from 'vitest';
import { hostNoise, parseProcStat } from '../src/stack/host-cpu.js';

// /proc/stat's aggregate line: user nice system idle iowait irq softirq steal guest guest_nice (jiffies).
const stat = (user: number, idle: number, steal: number) =>
  `cpu  ${user} 0 0 ${idle} 0 0 0 ${steal} 0 0\ncpu0 1 2 3 4 5 6 7 8 0 0\nintr 12345\n`;

describe('host CPU over a bench window', () => {
  it('when /proc/stat is read, then busy, steal and total come from the aggregate cpu line only', () => {
    expect(parseProcStat('cpu  10 1 2 100 3 4 5 6 0 0\ncpu0 9 9 9 9 9 9 9 9 0 0\n')).toEqual({
      busy: 10 + 1 + 2 + 4 + 5,
      steal: 6,
      total: 10 + 1 + 2 + 4 + 5 + 100 + 3 + 6,
    });
  });

  it('when the hypervisor stole 10 % and the measured processes used half the busy time, then the shares say so', () => {
    // 10 s of two cores = 2,000 jiffies: 800 busy, 1,000 idle, 200 stolen; the measured processes used 4 CPU s.
    const noise = hostNoise(parseProcStat(stat(1000, 5000, 100)), parseProcStat(stat(1800, 6000, 300)), 4);
    expect(noise).toEqual({ steal_share: 0.1, busy_share: 0.4, others_share: 0.2 });
  });

  it('when the measured processes account for more than the host counted (sampling), then others is 0, not negative', () => {
    const noise = hostNoise(parseProcStat(stat(0, 0, 0)), parseProcStat(stat(100, 100, 0)), 2);
    expect(noise?.others_share).toBe(0);
  });

  it('when there is no /proc/stat, then there is no figure rather than a zero', () => {
    expect(parseProcStat('')).toEqual({ total: 0, busy: 0, steal: 0 });
    expect(hostNoise(parseProcStat(''), parseProcStat(''), 1)).toBeNull();
  });
});
