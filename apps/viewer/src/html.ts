import { pageAssets } from './assets.js';
import type { ConnectionHeader } from './header.js';
import { pageDataJson } from './page-data.js';
import { PAGE_STYLE } from './page-style.js';
import type { ConnectionView } from './view.js';

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Inlined script text; a literal `</script` would end the element early. */
function inlineScript(text: string): string {
  if (/<\/script|<!--/i.test(text)) throw new Error('an inlined script contains </script or <!--');
  return `<script>${text}</script>`;
}

const grouped = (digits: string) => digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
function bytes(exact: string | undefined): string | undefined {
  if (exact === undefined) return undefined;
  const n = Number(exact);
  const units: [number, string][] = [[1e12, 'TB'], [1e9, 'GB'], [1e6, 'MB'], [1e3, 'kB']];
  const unit = units.find(([scale]) => n >= scale);
  return unit === undefined ? `${grouped(exact)} B` : `${grouped(exact)} B (${(n / unit[0]).toPrecision(3)} ${unit[1]})`;
}
const seconds = (s: number | undefined) => (s === undefined ? undefined : `${s.toFixed(3)} s`);

/** The header's lines as label/value pairs, in display order; absent values are left out. */
export function headerLines(h: ConnectionHeader): [string, string][] {
  const lines: [string, string | undefined][] = [
    ['Source', h.source],
    ['Local', h.local],
    ['Remote', h.remote],
    ['Start', h.start],
    ['Duration', seconds(h.durationSec)],
    ['Congestion control', h.congestionAlgorithm],
    ['Bytes sent', bytes(h.bytesSent)],
    ['Bytes acked', bytes(h.bytesAcked)],
    ['Bytes received', bytes(h.bytesReceived)],
    ['Retransmissions', h.retransmissions === undefined ? undefined : `${grouped(String(h.retransmissions))} segments`],
    ['Final state', h.finalState],
    ['Snapshots', grouped(String(h.snapshots))],
  ];
  return lines.filter((l): l is [string, string] => l[1] !== undefined);
}

function section(v: ConnectionView): string {
  const dl = headerLines(v.header)
    .map(([k, val]) => `<div><dt>${escapeHtml(k)}</dt><dd>${escapeHtml(val)}</dd></div>`)
    .join('');
  const notes: string[] = [];
  if (v.x.kind === 'snapshot') notes.push('These records carry no timestamps: the x axis counts snapshots, and no throughput is derived from byte counters.');
  if (v.charts.length === 0) notes.push('No snapshot carries tcp_info: nothing to chart.');
  return `<section class="connection" id="${v.id}"><h2>${escapeHtml(v.header.name)}</h2><dl class="header">${dl}</dl>${notes
    .map((n) => `<p class="note">${escapeHtml(n)}</p>`)
    .join('')}<div class="charts"></div></section>`;
}

function overviewTable(views: readonly ConnectionView[]): string {
  const num = (value: number | string | undefined, text = value === undefined ? '' : String(value)) =>
    `<td class="num" data-value="${value ?? ''}">${escapeHtml(text)}</td>`;
  const rows = views.map((v) => {
    const h = v.header;
    return `<tr><td><a href="#${v.id}">${escapeHtml(h.name)}</a></td><td>${escapeHtml(h.remote ?? '')}</td>${num(h.durationSec, h.durationSec?.toFixed(3))}${num(
      h.bytesSent,
      h.bytesSent === undefined ? '' : grouped(h.bytesSent),
    )}${num(h.bytesReceived, h.bytesReceived === undefined ? '' : grouped(h.bytesReceived))}${num(h.retransmissions)}<td>${escapeHtml(h.congestionAlgorithm ?? '')}</td>${num(h.snapshots)}</tr>`;
  });
  return `<h2>Overview</h2><p class="note">Click a column header to sort.</p><table id="overview"><thead><tr><th data-sort="text">Connection</th><th data-sort="text">Remote</th><th class="num" data-sort="number">Duration (s)</th><th class="num" data-sort="number">Bytes sent</th><th class="num" data-sort="number">Bytes received</th><th class="num" data-sort="number">Retransmissions</th><th data-sort="text">CC</th><th class="num" data-sort="number">Snapshots</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/**
 * One self-contained HTML page for the connections, as text chunks to write
 * one after the other: uPlot, its stylesheet, the page script and the data are
 * all inlined, so it opens offline. An overview table comes first when there
 * are several connections. The data (a value per snapshot per series) is
 * written in pieces, never as one string. Everything that can fail (the
 * assets, the script check) fails here, before the first chunk.
 */
export function reportChunks(views: readonly ConnectionView[]): Iterable<string> {
  const assets = pageAssets();
  const title = views.length === 1 ? `tcp-info: ${views[0]!.header.name}` : `tcp-info: ${views.length} connections`;
  const head = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${assets.uplotStyle}</style><style>${PAGE_STYLE}</style></head>
<body><header><h1>${escapeHtml(title)}</h1><p class="note">Drag across a chart to zoom all of a connection's charts; double-click to zoom out. Hover for the exact values of the nearest snapshot.</p></header>
${views.length > 1 ? overviewTable(views) : ''}${views.length === 0 ? '<p class="note">The input holds no snapshots.</p>' : ''}
${views.map(section).join('\n')}
<script type="application/json" id="tcpinfo-data">`;
  const tail = `</script>
${inlineScript(assets.uplotScript)}
${inlineScript(assets.pageScript)}
</body></html>
`;
  return (function* () {
    yield head;
    yield* pageDataJson(views);
    yield tail;
  })();
}

/** The whole page as one string (see {@link reportChunks}); for small reports and tests. */
export const renderReport = (views: readonly ConnectionView[]): string => [...reportChunks(views)].join('');
