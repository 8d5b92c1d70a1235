// Runs the BUILT collector + saver inside a test namespace until stdin closes,
// then closes every file and exits. Prints "ready <destroy-events active>" once polling runs,
// and a line of JSON stats for each line "stats" on stdin (and once more at the end).
// usage: node run-collector.mjs OUTPUT_DIR [--no-destroy-events]
import { Collector } from '../../dist/index.js';
import { Saver } from '@tcpinfo/saver';
import { createMetrics } from '@tcpinfo/metrics';
import { ExclusionRules } from '@tcpinfo/netlink';
import readline from 'node:readline';

const [out, flag] = process.argv.slice(2);
const metrics = createMetrics({ processMetrics: false });
const saver = new Saver({ outputDir: out, uuidPrefix: 'destroytest_1700000000', metrics });
const collector = new Collector({ saver, metrics, exclude: new ExclusionRules(), destroyEvents: flag !== '--no-destroy-events', log: (l) => process.stderr.write(l + '\n') });
const stop = new AbortController();
process.stdin.on('end', () => stop.abort());
readline.createInterface({ input: process.stdin }).on('line', (l) => {
  if (l.trim() === 'stats') void stats().then((s) => process.stdout.write(JSON.stringify(s) + '\n'));
});
const running = collector.run(stop.signal);
while (collector.cycles < 1) await new Promise((r) => setTimeout(r, 1));
process.stdout.write(`ready ${collector.destroyEventsActive}\n`);
await running;
process.stdout.write(JSON.stringify(await stats()) + '\n');

async function stats() {
  const get = async (name) => (await metrics.registry.getSingleMetric(name).get()).values.reduce((a, v) => a + v.value, 0);
  const polling = (await metrics.registry.getSingleMetric('tcpinfo_polling_interval_histogram').get()).values;
  const count = polling.find((v) => v.metricName.endsWith('_count'))?.value ?? 0;
  // Cumulative bucket counts (le in seconds) and the median polling interval from them.
  const buckets = polling.filter((v) => v.metricName.endsWith('_bucket')).map((v) => [v.labels.le, v.value]);
  const median = buckets.find(([, n]) => n >= count / 2)?.[0];
  return {
    destroyMessages: await get('tcpinfo_destroy_messages_total'),
    firstSeen: await get('tcpinfo_destroy_first_seen_total'),
    overruns: await get('tcpinfo_destroy_overruns_total'),
    late: await get('tcpinfo_destroy_late_total'),
    closes: (await metrics.registry.getSingleMetric('tcpinfo_flow_events_total').get()).values.filter((v) => v.labels.event === 'close').reduce((a, v) => a + v.value, 0),
    cycles: collector.cycles,
    pollingMedianSec: median,
    pollingCount: count,
    pollingBuckets: buckets,
  };
}
