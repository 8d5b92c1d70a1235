import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRoot, warnIfNotRoot } from '@tcpinfo/testing';
import { buildReport } from '../src/report.js';
import { formatExact } from '../src/page/format.js';
import { chartStats, drawAll, launch, openReport, OUTPUT_DIR, type ChartStats } from './browser.js';
import { recordConnection, type RecordedConnection } from './live/record.js';
import { ARCHIVE, FINWAIT2, NDT, writeLongConnection } from './synthetic.js';

warnIfNotRoot('tcpinfo-view on a connection recorded live by the daemon (viewer page.test.ts)');

type Browser = Awaited<ReturnType<typeof launch>>;
let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

async function render(inputs: string[], name: string): Promise<string> {
  const path = join(OUTPUT_DIR, `${name}.html`);
  writeFileSync(path, (await buildReport(inputs)).html);
  return path;
}

/** Every chart has numbers to draw and lines on its canvas. */
function expectEveryChartDrawn(stats: readonly ChartStats[]): void {
  for (const s of stats) {
    expect(s.points.every((n) => n > 0), `${s.connection}/${s.chart} has a series without points`).toBe(true);
    expect(s.coloredPixels, `${s.connection}/${s.chart} drew nothing`).toBeGreaterThan(0);
  }
}

describe('report page in headless Chromium', () => {
  it('the original\'s recorded files: 142 connections, every chart drawn (lazily), sortable overview, no console error', async () => {
    const { page, problems } = await openReport(browser.context, await render([NDT, FINWAIT2, ARCHIVE], 'testdata'));
    const total = await page.evaluate(() => (globalThis as any).tcpinfoView.connections.reduce((n: number, c: { charts: unknown[] }) => n + c.charts.length, 0));
    // Only sections near the viewport are drawn at first.
    const early = (await chartStats(page)).length;
    expect(early).toBeLessThan(total);
    await drawAll(page);
    const stats = await chartStats(page);
    expect(stats).toHaveLength(total);
    expect(new Set(stats.map((s) => s.connection)).size).toBe(142);
    expectEveryChartDrawn(stats);

    const durations = () => page.$$eval('#overview tbody tr td:nth-child(3)', (tds) => tds.map((td) => (td as unknown as { dataset: { value?: string } }).dataset.value ?? ''));
    await page.click('#overview th:nth-child(3)');
    const desc = await durations();
    expect(desc.slice(0, 2).map(Number)).toEqual([...desc.slice(0, 2).map(Number)].sort((a, b) => b - a));
    expect(Number(desc[0])).toBeCloseTo(599.86, 2); // the NDT connection is the longest
    expect(desc.slice(2).every((d) => d === '')).toBe(true); // header-less records have no duration: last
    await page.click('#overview th:nth-child(3)');
    expect((await durations()).slice(0, 2).map(Number)).toEqual(desc.slice(0, 2).map(Number).reverse());

    await page.screenshot({ path: join(OUTPUT_DIR, 'testdata.png') });
    expect(problems).toEqual([]);
    expect(await page.evaluate(() => (globalThis as any).tcpinfoView.errors)).toEqual([]);
  }, 120_000);

  it('a 20,000-snapshot connection: drawn min/max per pixel, hover shows the exact nearest snapshot, zoom moves every chart', async () => {
    const long = join(OUTPUT_DIR, 'long.jsonl');
    const truth = await writeLongConnection(long, 20_000);
    const { page, problems } = await openReport(browser.context, await render([long], 'long'));
    const stats = await chartStats(page);
    expectEveryChartDrawn(stats);
    for (const s of stats) expect(s.xs).toBeLessThanOrEqual(2 * Math.ceil(s.widthPx) + 4);
    // The one 900 ms spike among 20,000 samples survives downsampling.
    const drawnRttMax = await page.evaluate(() => Math.max(...(globalThis as any).tcpinfoView.charts.find((c: any) => c.chart === 'rtt').plot.data[1]));
    expect(drawnRttMax).toBe(900);

    // Hover: the legend shows the nearest real snapshot, which is mostly not among the drawn points.
    const over = page.locator('#c0 [data-chart="rtt"] .u-over');
    await over.scrollIntoViewIfNeeded();
    const box = (await over.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.437, box.y + box.height / 2);
    const hovered = await page.evaluate(() => {
      const plot = (globalThis as any).tcpinfoView.charts.find((c: any) => c.chart === 'rtt').plot;
      const legend = [...plot.root.querySelectorAll('.u-legend .u-value')].map((e: any) => e.textContent);
      return { x: plot.posToVal(plot.cursor.left, 'x') as number, legend: legend as string[] };
    });
    const xs = Array.from({ length: 20_000 }, (_, i) => i / 100);
    const nearest = xs.reduce((best, x, i) => (Math.abs(x - hovered.x) < Math.abs(xs[best]! - hovered.x) ? i : best), 0);
    expect(hovered.legend[0]).toBe(formatExact(xs[nearest], 9));
    expect(hovered.legend[1]).toBe(formatExact(truth.rttUsec[nearest]! / 1000));

    // Zoom: drag across the rtt chart; every chart of the connection shows the same, narrower range.
    await page.mouse.move(box.x + box.width * 0.3, box.y + 20);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.4, box.y + 20, { steps: 5 });
    await page.mouse.up();
    const ranges = await page.evaluate(() => (globalThis as any).tcpinfoView.charts.map((c: any) => [c.plot.scales.x.min, c.plot.scales.x.max]));
    const [min, max] = ranges[0] as [number, number];
    expect(max - min).toBeLessThan(200 * 0.15);
    expect(min).toBeGreaterThan(200 * 0.25);
    for (const r of ranges) expect(r).toEqual([min, max]);
    // Zoomed in, the drawing is recomputed for the visible range: still per pixel, now finer.
    const zoomed = await chartStats(page);
    for (const s of zoomed) expect(s.xs).toBeLessThanOrEqual(2 * Math.ceil(s.widthPx) + 4);
    const firstDrawnX = await page.evaluate(() => (globalThis as any).tcpinfoView.charts[0].plot.data[0][1] as number);
    expect(firstDrawnX).toBeGreaterThanOrEqual(min);
    await over.dblclick();
    const reset = await page.evaluate(() => (globalThis as any).tcpinfoView.charts.map((c: any) => [c.plot.scales.x.min, c.plot.scales.x.max]));
    for (const r of reset) expect(r).toEqual([0, 199.99]);

    await page.screenshot({ path: join(OUTPUT_DIR, 'long.png') });
    expect(problems).toEqual([]);
    rmSync(long);
  }, 120_000);

  describe.skipIf(!isRoot)('a connection recorded live by the daemon', () => {
    let rec: RecordedConnection;
    beforeAll(async () => {
      rec = await recordConnection({ durationMs: 3000, replyBytes: 2_000_000, rate: '40mbit', congestionControl: 'bbr' });
    }, 60_000);
    afterAll(() => {
      if (rec) rmSync(rec.dir, { recursive: true, force: true });
    });

    it('both ends: exact final byte counts in the headers, every chart drawn (BBR bandwidth too), no console error', async () => {
      const { page, problems } = await openReport(browser.context, await render([rec.clientFile, rec.serverFile], 'live'));
      await drawAll(page);
      const headers = await page.evaluate(() => (globalThis as any).tcpinfoView.connections.map((c: any) => c.header));
      // tcpi_bytes_acked counts the SYN and FIN too; the receiver's bytes_received counts the FIN.
      expect(headers[0]).toMatchObject({ local: expect.stringMatching(/^192\.0\.2\.2:/), bytesAcked: String(rec.sent + 2), congestionAlgorithm: 'bbr' });
      expect(headers[1]).toMatchObject({ local: expect.stringMatching(/^192\.0\.2\.1:/), bytesReceived: String(rec.sent + 1) });
      expect(BigInt(headers[0].bytesReceived)).toBe(BigInt(rec.received + 1));
      const stats = await chartStats(page);
      expect(stats.filter((s) => s.connection === 'c0').map((s) => s.chart)).toEqual(['throughput', 'cwnd', 'rtt', 'loss', 'pacing', 'rwnd']);
      expectEveryChartDrawn(stats);
      const pacingSeries = await page.evaluate(() => (globalThis as any).tcpinfoView.connections[0].charts.find((c: any) => c.id === 'pacing').series.map((s: any) => s.label));
      expect(pacingSeries).toEqual(['pacing_rate', 'BBR bw']);

      // Hovering one chart moves the cursor on all of the connection's charts: every legend shows the same snapshot.
      const over = page.locator('#c0 [data-chart="rtt"] .u-over');
      await over.scrollIntoViewIfNeeded();
    const box = (await over.boundingBox())!;
      await page.mouse.move(box.x + box.width * 0.55, box.y + box.height / 2);
      const legends = await page.$$eval('#c0 .u-legend', (ls) => ls.map((l) => [...l.querySelectorAll('.u-value')].map((v) => v.textContent)));
      expect(legends).toHaveLength(6);
      expect(new Set(legends.map((l) => l[0])).size).toBe(1);
      expect(legends.flat().every((v) => v !== '–')).toBe(true);

      await page.screenshot({ path: join(OUTPUT_DIR, 'live.png'), fullPage: true });
      // The README's picture (docs/images/tcpinfo-view.png) is this file from a run on a real kernel.
      await page.locator('#c0').screenshot({ path: join(OUTPUT_DIR, 'live-client.png') });
      expect(problems).toEqual([]);
    }, 60_000);
  });
});
