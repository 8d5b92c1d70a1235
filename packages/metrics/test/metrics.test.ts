import { describe, expect, it } from 'vitest';
import { createMetrics } from '../src/index.js';

describe('metrics', () => {
  it("exposes SPEC §10's names with the original's buckets, plus process metrics", async () => {
    const m = createMetrics();
    m.syscallTime.labels('ipv6').observe(0.003);
    m.connectionCount.labels('ipv4').observe(12);
    m.errors.labels('ENOSPC').inc();
    m.flowEvents.labels('open').inc();
    m.largeNetlink.labels('x').inc();
    m.netlinkSkipped.labels('x').inc();
    const text = await m.registry.metrics();
    for (const name of [
      'tcpinfo_syscall_time_histogram', 'tcpinfo_polling_interval_histogram', 'tcpinfo_connection_count_histogram',
      'tcpinfo_cache_count_histogram', 'tcpinfo_error_total', 'tcpinfo_new_file_total', 'tcpinfo_send_rate_histogram',
      'tcpinfo_receive_rate_histogram', 'tcpinfo_snapshot_total', 'large_netlink_total', 'netlink_skipped_total',
      'tcpinfo_flow_events_total', 'process_cpu_seconds_total', 'nodejs_heap_size_used_bytes',
    ]) {
      expect(text, name).toMatch(new RegExp(`^# TYPE ${name} `, 'm'));
    }
    expect(text).toContain('tcpinfo_syscall_time_histogram_bucket{le="0.0063",af="ipv6"} 1');
    expect(text).toContain('tcpinfo_polling_interval_histogram_bucket{le="0.029"} 0');
    expect(text).toContain('tcpinfo_send_rate_histogram_bucket{le="10000000000"} 0');
    expect(text).toContain('tcpinfo_connection_count_histogram_bucket{le="12.5",af="ipv4"} 1');
    expect(text).toContain('tcpinfo_error_total{type="ENOSPC"} 1');
  });

  it('closed-flow histograms are labelled by af and cc only, with the README buckets', async () => {
    const m = createMetrics({ processMetrics: false });
    m.closedFlowDuration.labels('ipv4', 'cubic').observe(3);
    m.closedFlowMinRtt.labels('ipv6', 'bbr').observe(0.03);
    m.closedFlowBytesAcked.labels('ipv4', 'cubic').observe(2e6);
    m.closedFlowRetransmitRatio.labels('ipv4', 'cubic').observe(0);
    const text = await m.registry.metrics();
    expect(text).toContain('tcpinfo_closed_flow_duration_seconds_bucket{le="5",af="ipv4",cc="cubic"} 1');
    expect(text).toContain('tcpinfo_closed_flow_min_rtt_seconds_bucket{le="0.04",af="ipv6",cc="bbr"} 1');
    expect(text).toContain('tcpinfo_closed_flow_bytes_acked_bucket{le="3000000",af="ipv4",cc="cubic"} 1');
    expect(text).toContain('tcpinfo_closed_flow_retransmit_ratio_bucket{le="0",af="ipv4",cc="cubic"} 1');
    expect(() => m.closedFlowDuration.labels({ af: 'ipv4', cc: 'x', uuid: 'y' } as never)).toThrow();
  });

  it('registries are independent', async () => {
    const a = createMetrics({ processMetrics: false });
    const b = createMetrics({ processMetrics: false });
    a.newFiles.inc();
    expect(await b.registry.getSingleMetricAsString('tcpinfo_new_file_total')).toMatch(/tcpinfo_new_file_total 0/);
  });
});
