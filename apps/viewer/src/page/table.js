// Sorting of the overview table: a click on a column header sorts the rows by
// that column's data-value (numbers) or text; a second click reverses.

/** @param {HTMLTableElement} table */
export function makeSortable(table) {
  const headers = [...table.querySelectorAll('th[data-sort]')];
  for (const th of headers) {
    th.tabIndex = 0;
    const sort = () => {
      const descending = th.getAttribute('aria-sort') !== 'descending';
      for (const other of headers) other.removeAttribute('aria-sort');
      th.setAttribute('aria-sort', descending ? 'descending' : 'ascending');
      sortRows(table, [...th.parentElement.children].indexOf(th), th.dataset.sort === 'number', descending);
    };
    th.addEventListener('click', sort);
    th.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        sort();
      }
    });
  }
}

/** Sorts the body rows by one column; rows without a value go last either way. */
function sortRows(table, column, numeric, descending) {
  const body = table.tBodies[0];
  const key = (row) => {
    const cell = row.cells[column];
    const raw = cell?.dataset.value ?? cell?.textContent ?? '';
    return numeric ? (raw === '' ? null : Number(raw)) : raw;
  };
  const rows = [...body.rows].map((row) => ({ row, k: key(row) }));
  rows.sort((a, b) => {
    if (a.k === null || b.k === null) return a.k === null ? (b.k === null ? 0 : 1) : -1;
    const c = a.k < b.k ? -1 : a.k > b.k ? 1 : 0;
    return descending ? -c : c;
  });
  for (const { row } of rows) body.appendChild(row);
}
