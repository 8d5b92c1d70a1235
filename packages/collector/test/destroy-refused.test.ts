import { describe, expect, it } from 'vitest';
import { createMetrics } from '@tcpinfo/metrics';
import { NetlinkError } from '@tcpinfo/netlink';
import { Saver } from '@tcpinfo/saver';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Collector } from '../src/index.js';

// Kernels that refuse the destroy groups (EPERM without CAP_NET_ADMIN) cannot be
// produced on this machine's 6.18, which lets anyone join: the refusal is injected.
describe('destroy notifications refused by the kernel', () => {
  it('logs one line, sets the metric, and keeps polling', async () => {
    const metrics = createMetrics({ processMetrics: false });
    const logs: string[] = [];
    const saver = new Saver({ outputDir: mkdtempSync(join(tmpdir(), 'refused-')), uuidPrefix: 'x', metrics, log: (l) => logs.push(l) });
    const collector = new Collector({
      saver,
      metrics,
      reps: 3,
      log: (l) => logs.push(l),
      openDestroyListener: () => {
        throw new NetlinkError('cannot join the sock_diag destroy groups: EPERM', 1, 'EPERM');
      },
    });
    await collector.run();
    expect(collector.cycles).toBe(3);
    expect(collector.destroyEventsActive).toBe(false);
    expect(logs.filter((l) => /destroy notifications unavailable.*EPERM/.test(l))).toHaveLength(1);
    expect(await metrics.registry.getSingleMetricAsString('tcpinfo_destroy_events_enabled')).toMatch(/tcpinfo_destroy_events_enabled 0/);
  });
});
