/** Number formatting of the report page (pure, DOM-free). */

const SI = [
  [1e12, 'T'],
  [1e9, 'G'],
  [1e6, 'M'],
  [1e3, 'k'],
] as const;

/**
 * Axis labels with one SI suffix for the whole axis (from its largest tick) and
 * as many decimals as the tick step needs,
 * so neighbouring ticks never print alike: [0, 500000, 1000000] → 0, 0.5M, 1M;
 * [0.3105, 0.311] (step 0.0005) → 0.3105, 0.311.
 */
export function formatAxis(ticks: readonly (number | null)[], step: number): string[] {
  const largest = Math.max(0, ...ticks.map((t) => (t === null ? 0 : Math.abs(t))));
  const [scale, suffix] = SI.find(([sc]) => largest >= sc) ?? [1, ''];
  const scaledStep = step > 0 && Number.isFinite(step) ? step / scale : 1;
  const decimals = Math.min(12, Math.max(0, -Math.floor(Math.log10(scaledStep) + 1e-9)));
  return ticks.map((t) => (t === null || !Number.isFinite(t) ? '' : `${trim((t / scale).toFixed(decimals))}${t === 0 ? '' : suffix}`));
}

/**
 * A value as the hover legend shows it: integers in full with thousands
 * separators (counters are exact), fractions with up to `decimals` decimals.
 */
export function formatExact(v: number | null | undefined, decimals = 6): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  if (Number.isInteger(v)) return v.toLocaleString('en-US');
  return trim(v.toFixed(decimals));
}

function trim(s: string): string {
  return s.includes('.') && !s.includes('e') ? s.replace(/\.?0+$/, '') : s;
}
