/**
 * Stroke colours of a chart's series, in order: saturated enough to tell from
 * the grey grid and axes (the page tests find drawn lines by these colours).
 */
export const SERIES_COLORS: readonly string[] = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd'];
