// The query socket's budget (issue 14) inside `pnpm bench`: runs query-live.mjs
// (real busy connections in a private network namespace, the built Collector +
// Saver + FlowTable + QueryServer) and reports CPU per polling cycle with the
// query socket off and on (no client), and the polling interval's median
// without and with RATE queries per second. Needs root (skipped otherwise).
// BENCH_QUERY_BUSY (connections; sockets are twice that), BENCH_QUERY_WINDOW
// (cycles per window), BENCH_QUERY_PAIRS, BENCH_QUERY_RATE change the sizes.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ArchivalRecord, GoTime } from '@tcpinfo/netlink';
import { AnswerCache, FlowTable, answerJson, listEntry } from '@tcpinfo/query';
import { loadPayloads } from './fixtures.mjs';

const BUSY = Number(process.env.BENCH_QUERY_BUSY ?? 1000);
const WINDOW = Number(process.env.BENCH_QUERY_WINDOW ?? 300);
const PAIRS = Number(process.env.BENCH_QUERY_PAIRS ?? 3);
const RATE = Number(process.env.BENCH_QUERY_RATE ?? 1000);
const script = fileURLToPath(new URL('./query-live.mjs', import.meta.url));

const range = (xs, digits = 2) => `${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}`;
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;

function run() {
  const out = execFileSync(
    process.execPath,
    [script, '--busy', String(BUSY), '--window', String(WINDOW), '--pairs', String(PAIRS), '--rate', String(RATE), '--json'],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 16 * 1024 * 1024 },
  );
  return JSON.parse(out.trim().split('\n').pop());
}

/** The work of one query, on a real 6.18 socket (recorded kernel message): what each GET costs the polling thread. */
const payload = loadPayloads().find((p) => p.length > 400);
const flows = new FlowTable();
const UUID = 'bench_1700000000_unsafe_0000000000001234';
for (let i = 0; i < 100; i++) flows.onRecord(UUID, ArchivalRecord.fromMessage(payload, GoTime.fromUnixNanos(1_700_000_000_000_000_000n + BigInt(i) * 10_000_000n)));
const flow = flows.get(UUID);
const cache = new AnswerCache();
const record = ArchivalRecord.fromMessage(payload, GoTime.fromUnixNanos(1_700_000_001_000_000_000n));
const micro = [
  {
    name: 'answerJson: one GET /connections/{uuid} (decode, figures, JSON)',
    unit: 'answers',
    run: () => answerJson(flow, 1_700_000_001_000),
    check: (text) => {
      if (JSON.parse(text).uuid !== UUID) throw new Error('wrong answer');
    },
  },
  {
    name: 'AnswerCache.answerJson: the same GET again before the next snapshot (figures only)',
    unit: 'answers',
    run: () => cache.answerJson(flow, 1_700_000_001_000),
    check: (text) => {
      if (text !== answerJson(flow, 1_700_000_001_000)) throw new Error('cached answer differs');
    },
  },
  {
    name: 'listEntry: one connection of GET /connections (object)',
    unit: 'entries',
    run: () => listEntry(flow),
    check: (e) => {
      if (e.uuid !== UUID) throw new Error('wrong entry');
    },
  },
  {
    name: 'AnswerCache.listEntryJson: one connection of GET /connections, as served',
    unit: 'entries',
    run: () => cache.listEntryJson(flow),
    check: (text) => {
      if (text !== JSON.stringify(listEntry(flow))) throw new Error('listed entry differs');
    },
  },
  {
    name: 'FlowTable.onRecord: the polling hot path, per record written',
    unit: 'records',
    run: () => flows.onRecord(UUID, record),
    check: () => {
      if (flows.get(UUID) !== flow) throw new Error('flow replaced');
    },
  },
];

export function cases() {
  if (process.getuid?.() !== 0) {
    process.stderr.write('*** query.bench: live cases SKIPPED, need root for a network namespace (run pnpm bench as root) ***\n');
    return micro;
  }
  const result = Promise.resolve().then(run);
  return [
    ...micro,
    {
      name: 'query socket on, no client, vs off: CPU per cycle',
      unit: 'cycles',
      async measureAsync() {
        const r = await result;
        if (r.openFlows < 2 * BUSY - 2) throw new Error(`${r.openFlows} flows tracked for ${2 * BUSY} sockets`);
        const on = mean(r.cpuPerCycleMs.on);
        const ratios = r.ratioOnOff;
        const met = mean(ratios) <= 1.03;
        return {
          items: WINDOW * PAIRS,
          elapsedMs: WINDOW * PAIRS * 10,
          nsPerItem: on * 1e6,
          notes: [
            `${2 * BUSY} busy sockets`,
            `CPU/cycle off ${range(r.cpuPerCycleMs.off)} ms, on ${range(r.cpuPerCycleMs.on)} ms`,
            `on/off per pair ${range(ratios, 3)} (mean ${mean(ratios).toFixed(3)})`,
            `within 3 %: ${met ? 'met' : 'NOT met'}`,
          ].join('; '),
        };
      },
    },
    {
      name: `${RATE} queries/s for 10 s: polling interval median`,
      unit: 'queries',
      async measureAsync() {
        const r = await result;
        const q = r.queries;
        // Correctness first: every query answered with its connection.
        if (q.failed > 0 || q.notFound > 0 || q.ok !== q.sent) throw new Error(`queries: ${JSON.stringify(q)}`);
        const { quiet, queries } = r.intervalMedianMs;
        const ratio = queries / quiet;
        return {
          items: q.ok,
          elapsedMs: q.elapsedMs,
          notes: [
            `${q.ok} answered in ${(q.elapsedMs / 1000).toFixed(1)} s (${(q.ok / (q.elapsedMs / 1000)).toFixed(0)}/s achieved)`,
            `interval median ${quiet.toFixed(2)} ms quiet, ${queries.toFixed(2)} ms with queries (×${ratio.toFixed(3)})`,
            `within 5 %: ${Math.abs(ratio - 1) <= 0.05 ? 'met' : 'NOT met'}`,
          ].join('; '),
        };
      },
    },
  ];
}
