// Runs the BUILT collector + saver inside a test namespace until stdin closes,
// then closes every file and exits. Prints "ready <destroy-events active>" once polling runs.
// usage: node run-collector.mjs OUTPUT_DIR [--no-destroy-events]
import { Collector } from '../../dist/index.js';
import { Saver } from '@tcpinfo/saver';
import { createMetrics } from '@tcpinfo/metrics';
import { ExclusionRules } from '@tcpinfo/netlink';

const [out, flag] = process.argv.slice(2);
const metrics = createMetrics({ processMetrics: false });
const saver = new Saver({ outputDir: out, uuidPrefix: 'destroytest_1700000000', metrics });
const collector = new Collector({ saver, metrics, exclude: new ExclusionRules(), destroyEvents: flag !== '--no-destroy-events', log: (l) => process.stderr.write(l + '\n') });
const stop = new AbortController();
process.stdin.on('end', () => stop.abort());
process.stdin.resume();
const running = collector.run(stop.signal);
while (collector.cycles < 1) await new Promise((r) => setTimeout(r, 1));
process.stdout.write(`ready ${collector.destroyEventsActive}\n`);
await running;
const get = async (name) => (await metrics.registry.getSingleMetric(name).get()).values.reduce((a, v) => a + v.value, 0);
const polling = (await metrics.registry.getSingleMetric('tcpinfo_polling_interval_histogram').get()).values;
const count = polling.find((v) => v.metricName.endsWith('_count'))?.value ?? 0;
// Median polling interval (ms) from the histogram's 1-ms buckets.
const median = polling.filter((v) => v.metricName.endsWith('_bucket')).find((v) => v.value >= count / 2)?.labels.le;
process.stdout.write(JSON.stringify({ destroyMessages: await get('tcpinfo_destroy_messages_total'), firstSeen: await get('tcpinfo_destroy_first_seen_total'), overruns: await get('tcpinfo_destroy_overruns_total'), cycles: collector.cycles, pollingMedianSec: median }) + '\n');
