import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { SERIES_COLORS } from '../src/page/palette.js';

/** Debian's chromium (scripts/setup.sh installs it); playwright-core drives it, no browser download. */
export const CHROMIUM = '/usr/bin/chromium';
/** What this machine needs: root (no sandbox), no GPU, and nothing that reaches the network. */
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Screenshots and rendered reports of the page tests (gitignored). */
export const OUTPUT_DIR = fileURLToPath(new URL('../test-output/', import.meta.url));

/** A headless Chromium with a throw-away profile. */
export async function launch(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run scripts/setup.sh (it installs Debian's chromium)`);
  mkdirSync(OUTPUT_DIR, { recursive: true });
  const profile = mkdtempSync(join(tmpdir(), 'tcpinfo-view-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1200, height: 900 },
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** A report opened from disk, with every console error and uncaught exception it produced. */
export async function openReport(context: BrowserContext, htmlPath: string): Promise<{ page: Page; problems: string[] }> {
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page: ${e.message}`));
  // Anything fetched would break "opens offline": count it as a problem.
  page.on('request', (r) => {
    if (!r.url().startsWith('file:')) problems.push(`request: ${r.url()}`);
  });
  await page.goto(pathToFileURL(htmlPath).href);
  await page.evaluate(() => (globalThis as unknown as { tcpinfoView: { ready: Promise<void> } }).tcpinfoView.ready);
  return { page, problems };
}

/** What one drawn chart holds: numbers in its drawing data, and canvas pixels in a series colour. */
export interface ChartStats {
  readonly connection: string;
  readonly chart: string;
  /** Non-null y values handed to uPlot (after downsampling), per series. */
  readonly points: number[];
  /** x values handed to uPlot. */
  readonly xs: number;
  /** Pixels of the plotting area in one of the series colours. */
  readonly coloredPixels: number;
  /** Width of the plotting area in CSS pixels (the downsampling buckets). */
  readonly widthPx: number;
}

/** Stats of every chart drawn so far. */
export function chartStats(page: Page): Promise<ChartStats[]> {
  return page.evaluate((colors) => {
    const rgb = colors.map((c) => [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16)));
    type Plot = { data: (number | null)[][]; ctx: { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } }; bbox: { left: number; top: number; width: number; height: number } };
    const view = (globalThis as unknown as { tcpinfoView: { charts: { connection: string; chart: string; plot: Plot }[] } }).tcpinfoView;
    return view.charts.map(({ connection, chart, plot }) => {
      const { left, top, width, height } = plot.bbox;
      const px = plot.ctx.getImageData(left, top, width, height).data;
      let coloredPixels = 0;
      for (let i = 0; i < px.length; i += 4) {
        if (px[i + 3]! < 200) continue;
        if (rgb.some(([r, g, b]) => Math.abs(px[i]! - r!) + Math.abs(px[i + 1]! - g!) + Math.abs(px[i + 2]! - b!) < 60)) coloredPixels++;
      }
      return {
        connection,
        chart,
        points: plot.data.slice(1).map((s) => s.filter((v) => v !== null && v !== undefined).length),
        xs: plot.data[0]!.length,
        coloredPixels,
        widthPx: width / (globalThis as unknown as { devicePixelRatio: number }).devicePixelRatio,
      };
    });
  }, SERIES_COLORS as string[]);
}

/** Draws every section (the page draws lazily, near the viewport) and waits until done. */
export async function drawAll(page: Page): Promise<void> {
  await page.evaluate(() => (globalThis as unknown as { tcpinfoView: { drawAll(): Promise<void> } }).tcpinfoView.drawAll());
}
