// The charts of one connection: one uPlot per chart, sharing the x axis.
// Drawing uses min/max-per-pixel downsampled data (recomputed on zoom and
// resize); the hover legend reads the full arrays, so it shows the exact
// values of the real snapshot nearest to the cursor.
import { downsample, nearestIndex } from './downsample.js';
import { formatAxis, formatExact } from './format.js';
import { SERIES_COLORS } from './palette.js';

const HEIGHT = 200;

/**
 * Draws a connection's charts, `width` CSS pixels wide, into `container`.
 * Returns the charts (`{ id, plot }`) and `resize(width)`. Dragging across any chart zooms all of them; a double click
 * zooms back out; the cursor moves on all of them together.
 * @param {HTMLElement} container
 * @param {{ id: string, x: { kind: string, values: number[] }, charts: { id: string, title: string, unit: string, series: { label: string, values: (number|null)[] }[] }[] }} conn
 * @param {any} uPlot
 */
export function drawConnectionCharts(container, conn, uPlot, width) {
  const x = conn.x.values;
  const xLabel = conn.x.kind === 'seconds' ? 'seconds since first snapshot' : 'snapshot';
  const full = { min: x[0], max: x[x.length - 1] };
  let view = { ...full };
  const drawn = [];

  const dataFor = (chart, width) => {
    const d = downsample(x, chart.series.map((s) => s.values), view.min, view.max, width);
    return [d.x, ...d.ys];
  };
  /** Recomputes a chart's drawing data for the current view and plot width. */
  const setDrawingData = (entry) => {
    const { chart, plot } = entry;
    entry.buckets = plotWidth(plot);
    plot.batch(() => {
      plot.setData(dataFor(chart, entry.buckets), false);
      if (view.max > view.min) plot.setScale('x', view);
    });
  };
  const zoom = (min, max) => {
    view = { min, max };
    for (const entry of drawn) setDrawingData(entry);
  };

  for (const chart of conn.charts) {
    const el = document.createElement('div');
    el.className = 'chart';
    el.dataset.chart = chart.id;
    container.appendChild(el);
    // The real snapshot nearest to the cursor, from the full x array.
    const hovered = (u) => (u.cursor.left == null || u.cursor.left < 0 || x.length === 0 ? null : nearestIndex(x, u.posToVal(u.cursor.left, 'x')));
    const plot = new uPlot(
      {
        title: `${chart.title} (${chart.unit})`,
        width,
        height: HEIGHT,
        scales: { x: { time: false } },
        axes: [
          { label: xLabel, values: (u, splits, axis, space, step) => formatAxis(splits, step) },
          { label: chart.unit, size: 64, values: (u, splits, axis, space, step) => formatAxis(splits, step) },
        ],
        series: [
          { label: xLabel, value: (u) => { const i = hovered(u); return i === null ? '–' : formatExact(x[i], 9); } },
          ...chart.series.map((s, k) => ({
            label: s.label,
            stroke: SERIES_COLORS[k % SERIES_COLORS.length],
            width: 1.5,
            value: (u) => { const i = hovered(u); return i === null ? '–' : formatExact(s.values[i]); },
          })),
        ],
        cursor: { sync: { key: conn.id }, drag: { x: true, y: false, setScale: false } },
        hooks: {
          setSelect: [
            (u) => {
              if (u.select.width < 2) return;
              const min = u.posToVal(u.select.left, 'x');
              const max = u.posToVal(u.select.left + u.select.width, 'x');
              u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
              zoom(min, max);
            },
          ],
          // The plotting area settles only after the first draw with data (axis
          // sizes): redo the drawing data once if it was cut for another width.
          draw: [
            (u) => {
              const entry = drawn.find((d) => d.plot === u);
              if (entry === undefined || entry.buckets === plotWidth(u)) return;
              queueMicrotask(() => setDrawingData(entry));
            },
          ],
        },
      },
      [[], ...chart.series.map(() => [])],
      el,
    );
    // One bucket per pixel of the plotting area, known only once the plot is laid out.
    const entry = { id: chart.id, chart, plot, buckets: plotWidth(plot) };
    drawn.push(entry);
    plot.setData(dataFor(chart, entry.buckets));
    plot.over.addEventListener('dblclick', () => zoom(full.min, full.max));
  }

  const resize = (newWidth) => {
    for (const { plot } of drawn) plot.setSize({ width: newWidth, height: HEIGHT });
    zoom(view.min, view.max);
  };
  return { charts: drawn.map(({ id, plot }) => ({ id, plot })), resize };
}

/** Width of a plot's drawing area in CSS pixels (uPlot's bbox is in canvas pixels). */
function plotWidth(plot) {
  return plot.bbox.width / devicePixelRatio;
}
