/** The report's own stylesheet (uPlot's is inlined before it). */
export const PAGE_STYLE = `
:root { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1a1a1a; background: #fff; }
body { margin: 0 auto; padding: 1rem 2rem 3rem; max-width: 1200px; }
h1 { font-size: 1.4rem; margin: 0.5rem 0; }
h2 { font-size: 1.1rem; margin: 2rem 0 0.5rem; word-break: break-all; }
.note { color: #555; font-size: 0.9rem; }
section.connection { border-top: 1px solid #ddd; }
dl.header { display: grid; grid-template-columns: repeat(auto-fill, minmax(22rem, 1fr)); gap: 0.2rem 1.5rem; margin: 0.5rem 0 1rem; font-size: 0.9rem; }
dl.header div { display: flex; gap: 0.5rem; }
dl.header dt { color: #555; min-width: 9rem; flex: none; }
dl.header dd { margin: 0; font-variant-numeric: tabular-nums; word-break: break-all; }
.charts .chart { margin-bottom: 0.75rem; }
.u-title { font-size: 0.95rem !important; font-weight: 600 !important; }
.u-legend { font-size: 0.8rem; font-variant-numeric: tabular-nums; }
table#overview { border-collapse: collapse; font-size: 0.85rem; width: 100%; }
#overview th, #overview td { padding: 0.25rem 0.6rem; border-bottom: 1px solid #eee; text-align: left; }
#overview td.num, #overview th.num { text-align: right; font-variant-numeric: tabular-nums; }
#overview th[data-sort] { cursor: pointer; user-select: none; }
#overview th[aria-sort="ascending"]::after { content: " ▲"; }
#overview th[aria-sort="descending"]::after { content: " ▼"; }
`;
