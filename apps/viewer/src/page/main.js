// Entry of the report page's script (bundled into one IIFE by tsup, inlined by
// html.ts after uPlot). Reads the connections from the page's JSON block and
// draws a section's charts when the section comes near the viewport: drawing
// 840 charts of 140 connections up front took several seconds, lazily the
// page is ready at once. Makes the overview table sortable.
import { drawConnectionCharts } from './charts.js';
import { makeSortable } from './table.js';

/* global uPlot */
const connections = JSON.parse(document.getElementById('tcpinfo-data').textContent);
const charts = [];
const errors = [];
const pending = new Map(connections.map((c) => [c.id, c]));
const resizers = [];
/** Every section's charts are as wide as the first section's container (read once: reading it per chart forced a layout each time). */
let width;
const chartWidth = () => (width ??= Math.max(320, document.querySelector('.connection .charts').clientWidth));
/** Space a section's charts take once drawn (chart, title, legend), so the page does not jump. */
const CHART_BLOCK_PX = 275;

const overview = document.getElementById('overview');
if (overview) makeSortable(overview);

function drawSection(conn) {
  if (!pending.delete(conn.id)) return;
  const container = document.querySelector(`#${conn.id} .charts`);
  try {
    const drawn = drawConnectionCharts(container, conn, uPlot, chartWidth());
    for (const { id, plot } of drawn.charts) charts.push({ connection: conn.id, chart: id, plot });
    resizers.push(drawn.resize);
  } catch (err) {
    errors.push(`${conn.id}: ${err}`);
    container.textContent = `Could not draw this connection's charts: ${err}`;
  }
  container.style.minHeight = '';
}

// Resolves once the sections near the viewport are drawn (the observer reports every target at first).
let observed;
const ready = new Promise((resolve) => (observed = resolve));
if (connections.length === 0) observed();

const observer = new IntersectionObserver(
  (entries) => {
    for (const e of entries) {
      if (!e.isIntersecting) continue;
      observer.unobserve(e.target);
      const conn = pending.get(e.target.id);
      if (conn) drawSection(conn);
    }
    observed();
  },
  { rootMargin: '1500px 0px' },
);
for (const conn of connections) {
  const section = document.getElementById(conn.id);
  section.querySelector('.charts').style.minHeight = `${conn.charts.length * CHART_BLOCK_PX}px`;
  observer.observe(section);
}

/** Draws every section not drawn yet, yielding to the browser every ~50 ms. */
async function drawAll() {
  let sliceStart = performance.now();
  for (const conn of [...pending.values()]) {
    drawSection(conn);
    if (performance.now() - sliceStart > 50) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      sliceStart = performance.now();
    }
  }
}

let resizing = false;
window.addEventListener('resize', () => {
  if (resizing) return;
  resizing = true;
  requestAnimationFrame(() => {
    resizing = false;
    width = undefined;
    for (const resize of resizers) resize(chartWidth());
  });
});

// For the page tests, and for anyone poking at a report in the console.
window.tcpinfoView = { connections, charts, errors, ready, drawAll };
