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
import { AnswerCache, AskDesk, FlowTable, answerJson, listEntry, readFlow } from '@tcpinfo/query';
import { loadPayloads } from './fixtures.mjs';

const BUSY = Number(process.env.BENCH_QUERY_BUSY ?? 1000);
const WINDOW = Number(process.env.BENCH_QUERY_WINDOW ?? 300);
const PAIRS = Number(process.env.BENCH_QUERY_PAIRS ?? 8);
const SETTLE_ON_MS = Number(process.env.BENCH_QUERY_SETTLE_ON_MS ?? 20_000);
const RATE = Number(process.env.BENCH_QUERY_RATE ?? 1000);
const script = fileURLToPath(new URL('./query-live.mjs', import.meta.url));

const range = (xs, digits = 2) => `${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}`;
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const pct = (x) => `${(x * 100).toFixed(2)} %`;

function run() {
  const out = execFileSync(
    process.execPath,
    [script, '--busy', String(BUSY), '--window', String(WINDOW), '--pairs', String(PAIRS), '--settle-on-ms', String(SETTLE_ON_MS), '--rate', String(RATE), '--json'],
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
const desk = new AskDesk(flows, 256);
const packed = desk.answer([{ id: 1, by: 'uuid', key: UUID }]).flows;
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
    name: "AskDesk.answer: one ask, the polling thread's JS per query (lookup, JSON line, packing; the message itself not included)",
    unit: 'asks',
    run: () => desk.answer([{ id: 1, by: 'uuid', key: UUID }]),
    check: (m) => {
      if (m.answers[0].count !== 1) throw new Error('not answered');
    },
  },
  {
    name: 'readFlow: the query thread rebuilding an asked flow (parseLine of its record)',
    unit: 'flows',
    run: () => readFlow(packed, 0),
    check: (f) => {
      if (f.uuid !== UUID || answerJson(f, 1_700_000_001_000) !== answerJson(flow, 1_700_000_001_000)) throw new Error('rebuilt flow differs');
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
        // Work, not time, first: the polling thread answered nothing while no client asked.
        if (r.batchesWithoutClient !== 0) throw new Error(`${r.batchesWithoutClient} batches answered with no client`);
        const on = mean(r.cpuPerCycleMs.on);
        const { mean: m, ci95 } = r.ratio;
        // One pair has no spread: JSON carries its NaN as null.
        const f = (x) => (typeof x === 'number' && Number.isFinite(x) ? x.toFixed(3) : 'n/a');
        const ci = (c) => `${f(c.mean)} (95 % CI ${f(c.ci95[0])}–${f(c.ci95[1])}, sd ${f(c.sd)}, ${c.n} pairs)`;
        // Shown when the interval lies within ±3 %; not shown when it is wider (noise), exceeded when it lies above.
        const verdict = !Number.isFinite(ci95[0]) ? 'not shown (one pair)' : ci95[0] > 1.03 ? 'NOT met' : ci95[1] <= 1.03 ? 'met' : `not shown (noise: the interval reaches ${f(ci95[1])})`;
        return {
          items: WINDOW * PAIRS,
          elapsedMs: WINDOW * PAIRS * 10,
          nsPerItem: on * 1e6,
          notes: [
            `${2 * BUSY} busy sockets, load ${r.load.map((x) => x.toFixed(1)).join(' ')}`,
            `CPU/cycle off ${range(r.cpuPerCycleMs.off)} ms, on ${range(r.cpuPerCycleMs.on)} ms`,
            `on/off ${ci(r.ratio)}; polling thread alone ${ci(r.mainRatio)}; per record written ${ci(r.perRecordRatio)}`,
            `0 batches answered with no client`,
            `added where it can be: the query thread ${pct(r.added.queryThreadShare)} (${range(r.queryThreadMsPerCycle, 4)} ms/cycle), every thread but the polling one ${pct(r.added.otherThreadsShare)}`,
            `within 3 %: ratio ${verdict}; by the threads that run only when on: ${r.added.otherThreadsShare <= 0.03 && r.added.queryThreadShare <= 0.03 ? 'met' : 'NOT met'}`,
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
        // (load: see the other case's notes, same run)
        const ratio = queries / quiet;
        return {
          items: q.ok,
          elapsedMs: q.elapsedMs,
          notes: [
            `${q.ok} answered in ${(q.elapsedMs / 1000).toFixed(1)} s (${q.answeredPerSecond.toFixed(0)}/s achieved)`,
            `interval median ${quiet.toFixed(2)} ms quiet, ${queries.toFixed(2)} ms with queries (×${ratio.toFixed(3)}), ${r.intervalMedianMs.quietAfter.toFixed(2)} ms quiet after`,
            `polling thread ${(r.mainThreadMsPerQuery * 1000).toFixed(0)} µs per query, ${(q.ok / r.batches).toFixed(1)} asks per batch`,
            `${q.clients} client processes`,
            `within 5 %: ${Math.abs(ratio - 1) <= 0.05 ? 'met' : 'NOT met'}${q.answeredPerSecond < 0.95 * RATE ? ` (but only ${q.answeredPerSecond.toFixed(0)} of ${RATE} queries/s achieved)` : ''}`,
          ].join('; '),
        };
      },
    },
  ];
}
