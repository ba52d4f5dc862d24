import { describe, expect, it } from 'vitest';
import { PaymentLog } from '../src/payment-log.js';

describe('PaymentLog', () => {
  it('when old payments expire and the log compacts, then recent payments are still found where they happened', () => {
    const log = new PaymentLog();
    for (let i = 0; i < 500; i++) {
      log.add(`tx-${i}`, i * 1_000, `term-${i % 7}`, i % 2 ? `dev-${i}` : null, null);
      log.expire(i * 1_000 - 100_000); // keeps the last 100 payments
    }
    log.markReported('tx-450');

    expect(log.has('tx-399')).toBe(false);
    expect(log.has('tx-400')).toBe(true);
    expect(log.get('tx-450')).toEqual({
      time: 450_000,
      terminalId: 'term-2',
      deviceId: null,
      ip: null,
      reported: true,
    });
    expect(log.get('tx-499')).toEqual({
      time: 499_000,
      terminalId: 'term-2',
      deviceId: 'dev-499',
      ip: null,
      reported: false,
    });
    expect(log.toJSON()).toHaveLength(100);
  });

  it('when rebuilt from its JSON, then it holds the same payments in the same order', () => {
    const log = new PaymentLog();
    log.add('a', 3, 'term-1', 'dev-1', '1.2.3.4');
    log.add('b', 1, 'term-2', null, null); // late: stays behind the newer one
    log.markReported('a');
    const restored = PaymentLog.fromJSON(JSON.parse(JSON.stringify(log.toJSON())));

    expect(restored.toJSON()).toEqual(log.toJSON());
    expect(restored.get('a')?.reported).toBe(true);
  });
});
