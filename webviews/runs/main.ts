// The runs table: every run of an experiment (10,000 and more) in a virtualised grid
// (@tanstack/virtual-core draws only the rows in view). Sort by any column, filter with
// MLflow's syntax (the extension evaluates it), choose columns, select runs to compare.
// Columns, sort, selection and scroll position survive a reload (getState/setState).
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import { Virtualizer, elementScroll, observeElementOffset, observeElementRect } from '@tanstack/virtual-core';
import { h } from '../common/dom';
import type { FromTable, TableState, TableWebviewState, ToTable, ViewRun } from '../../src/webview/contract/experiments';
import { decodeRuns } from '../../src/webview/contract/experiments';
import { connect } from '../common/host';

const vscode = connect<FromTable, ToTable, TableWebviewState>();
let ui: TableWebviewState = vscode.getState() ?? { selected: [], scrollTop: 0 };
let state: TableState | undefined;
let rows: ViewRun[] = [];
let selected = new Set(ui.selected);
let lastClicked: number | undefined;
const ROW_HEIGHT = 24;

const root = document.getElementById('root')!;
root.className = 'runs';

function save(next: Partial<TableWebviewState>): void {
  ui = { ...ui, ...next };
  vscode.setState(ui);
}

// ---- layout -----------------------------------------------------------------------
const toolbar = h('div', 'toolbar');
const filterBox = document.createElement('vscode-textfield') as HTMLElement & { value: string };
filterBox.className = 'filter';
filterBox.setAttribute('aria-label', 'Filter');
const applyBtn = h('vscode-button' as 'button', '');
const columnsBtn = h('vscode-button' as 'button', '');
columnsBtn.setAttribute('secondary', '');
const compareBtn = h('vscode-button' as 'button', 'compare');
const refreshBtn = h('vscode-button' as 'button', '');
refreshBtn.setAttribute('secondary', '');
toolbar.append(filterBox, applyBtn, columnsBtn, compareBtn, refreshBtn);
const status = h('div', 'status');
status.setAttribute('role', 'status');
const columnsPanel = h('div', 'columns-panel');
columnsPanel.hidden = true;
const scroller = h('div', 'grid-scroller');
scroller.tabIndex = 0;
const header = h('div', 'grid-header');
header.setAttribute('role', 'row');
const body = h('div', 'grid-body');
body.setAttribute('role', 'rowgroup');
scroller.append(header, body);
scroller.setAttribute('role', 'grid');
root.append(toolbar, status, columnsPanel, scroller);

// ---- columns ----------------------------------------------------------------------
interface Column {
  readonly id: string;
  readonly label: string;
  readonly width: number;
  readonly value: (r: ViewRun) => string | number | undefined;
  readonly numeric: boolean;
}

function columnFor(id: string): Column {
  if (id === 'name') return { id, label: state?.strings.name ?? 'Run', width: 220, value: (r) => r.name, numeric: false };
  if (id === 'status') return { id, label: state?.strings.status ?? 'Status', width: 90, value: (r) => r.status, numeric: false };
  if (id === 'start') return { id, label: state?.strings.start ?? 'Started', width: 150, value: (r) => r.startTime, numeric: true };
  if (id === 'experiment') return { id, label: state?.strings.experiment ?? 'Experiment', width: 140, value: (r) => r.experimentName, numeric: false };
  const dot = id.indexOf('.');
  const field = id.slice(0, dot) as 'metrics' | 'params' | 'tags';
  const key = id.slice(dot + 1);
  return { id, label: key, width: field === 'tags' ? 160 : 120, value: (r) => r[field][key], numeric: field === 'metrics' };
}

function defaultColumns(s: TableState): string[] {
  return ['name', 'status', 'start', ...s.metricKeys.slice(0, 6).map((k) => `metrics.${k}`), ...s.paramKeys.slice(0, 4).map((k) => `params.${k}`)];
}

function columns(): Column[] {
  if (!state) return [];
  const available = new Set(['name', 'status', 'start', 'experiment', ...state.metricKeys.map((k) => `metrics.${k}`), ...state.paramKeys.map((k) => `params.${k}`), ...state.tagKeys.map((k) => `tags.${k}`)]);
  const ids = (ui.columns ?? defaultColumns(state)).filter((c) => available.has(c));
  return ids.map(columnFor);
}

function format(v: string | number | undefined, col: Column): string {
  if (v === undefined) return '';
  if (col.id === 'start') return new Date(v as number).toLocaleString();
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toPrecision(5).replace(/\.?0+$/, '');
  return v;
}

// ---- sorting ----------------------------------------------------------------------
function sortRows(): void {
  if (!state) return;
  rows = [...state.runs];
  const s = ui.sort;
  if (!s) return;
  const col = columnFor(s.column);
  const dir = s.desc ? -1 : 1;
  rows.sort((a, b) => {
    const va = col.value(a);
    const vb = col.value(b);
    if (va === vb) return 0;
    if (va === undefined) return 1;
    if (vb === undefined) return -1;
    if (col.numeric || (typeof va === 'number' && typeof vb === 'number')) return (Number(va) - Number(vb)) * dir;
    const na = Number(va);
    const nb = Number(vb);
    if (!Number.isNaN(na) && !Number.isNaN(nb)) return (na - nb) * dir;
    return String(va).localeCompare(String(vb)) * dir;
  });
}

// ---- rendering --------------------------------------------------------------------
let cols: Column[] = [];
let template = '';

function renderHeader(): void {
  cols = columns();
  template = `32px ${cols.map((c) => `${c.width}px`).join(' ')}`;
  header.style.gridTemplateColumns = template;
  const all = h('div', 'cell check');
  const box = document.createElement('input');
  box.type = 'checkbox';
  box.setAttribute('aria-label', state?.strings.selectAll ?? 'Select all');
  box.checked = rows.length > 0 && rows.every((r) => selected.has(r.id));
  box.addEventListener('change', () => {
    if (box.checked) rows.forEach((r) => selected.add(r.id));
    else selected.clear();
    selectionChanged();
  });
  all.append(box);
  header.replaceChildren(all);
  for (const c of cols) {
    const cell = h('div', `cell head${c.numeric ? ' num' : ''}`, c.label);
    cell.title = c.id;
    cell.setAttribute('role', 'columnheader');
    cell.dataset.column = c.id;
    if (ui.sort?.column === c.id) {
      cell.classList.add(ui.sort.desc ? 'desc' : 'asc');
      cell.setAttribute('aria-sort', ui.sort.desc ? 'descending' : 'ascending');
    }
    cell.addEventListener('click', () => {
      const desc = ui.sort?.column === c.id ? !ui.sort.desc : c.numeric;
      save({ sort: { column: c.id, desc } });
      sortRows();
      renderHeader();
      renderRows(true);
    });
    header.append(cell);
  }
  const width = 32 + cols.reduce((n, c) => n + c.width, 0);
  header.style.width = body.style.width = `${width}px`;
}

const virtualizer = new Virtualizer<HTMLDivElement, HTMLDivElement>({
  count: 0,
  getScrollElement: () => scroller,
  estimateSize: () => ROW_HEIGHT,
  overscan: 12,
  scrollPaddingStart: ROW_HEIGHT,
  observeElementRect,
  observeElementOffset,
  scrollToFn: elementScroll,
  onChange: () => renderRows(false),
  initialOffset: ui.scrollTop,
});

let rendered = new Map<number, HTMLDivElement>();
let scrollSave: number | undefined;

function rowElement(i: number): HTMLDivElement {
  const r = rows[i];
  const row = h('div', `row${selected.has(r.id) ? ' selected' : ''}${i % 2 ? ' odd' : ''}`);
  row.setAttribute('role', 'row');
  row.dataset.index = String(i);
  row.dataset.runId = r.id;
  row.style.gridTemplateColumns = template;
  row.style.transform = `translateY(${i * ROW_HEIGHT}px)`;
  const check = h('div', 'cell check');
  const box = document.createElement('input');
  box.type = 'checkbox';
  box.checked = selected.has(r.id);
  box.setAttribute('aria-label', r.name);
  check.append(box);
  row.append(check);
  for (const c of cols) {
    const v = c.value(r);
    const cell = h('div', `cell${c.numeric ? ' num' : ''}${c.id === 'status' ? ` status-${String(v).toLowerCase()}` : ''}`, format(v, c));
    cell.setAttribute('role', 'gridcell');
    if (c.id === 'name') {
      cell.classList.add('link');
      if (r.parentId) cell.classList.add('nested');
    }
    row.append(cell);
  }
  return row;
}

function renderRows(force: boolean): void {
  const items = virtualizer.getVirtualItems();
  if (force) {
    body.replaceChildren();
    rendered = new Map();
  }
  const wanted = new Set(items.map((v) => v.index));
  for (const [i, el] of rendered) {
    if (!wanted.has(i)) {
      el.remove();
      rendered.delete(i);
    }
  }
  const frag = document.createDocumentFragment();
  for (const v of items) {
    if (!rendered.has(v.index) && v.index < rows.length) {
      const el = rowElement(v.index);
      rendered.set(v.index, el);
      frag.append(el);
    }
  }
  body.append(frag);
  body.style.height = `${virtualizer.getTotalSize()}px`;
  document.body.dataset.renderedRows = String(rendered.size);
  if (scrollSave === undefined) {
    scrollSave = window.setTimeout(() => {
      scrollSave = undefined;
      save({ scrollTop: scroller.scrollTop });
    }, 200);
  }
}

function selectionChanged(): void {
  save({ selected: [...selected] });
  for (const [i, el] of rendered) {
    const on = selected.has(rows[i].id);
    el.classList.toggle('selected', on);
    (el.querySelector('input') as HTMLInputElement).checked = on;
  }
  const n = selected.size;
  compareBtn.textContent = `${state?.strings.compare ?? 'Compare'}${n ? ` (${n})` : ''}`;
  compareBtn.toggleAttribute('disabled', n < 2);
  const all = header.querySelector('input');
  if (all) all.checked = rows.length > 0 && rows.every((r) => selected.has(r.id));
}

body.addEventListener('click', (e) => {
  const target = e.target as HTMLElement;
  const row = target.closest<HTMLDivElement>('.row');
  if (!row) return;
  const i = Number(row.dataset.index);
  const id = rows[i].id;
  if (target.classList.contains('link')) {
    vscode.post({ type: 'details', runId: id });
    return;
  }
  if (e.shiftKey && lastClicked !== undefined) {
    const [a, b] = [Math.min(lastClicked, i), Math.max(lastClicked, i)];
    for (let k = a; k <= b; k++) selected.add(rows[k].id);
  } else if (selected.has(id)) selected.delete(id);
  else selected.add(id);
  lastClicked = i;
  selectionChanged();
});

function renderColumnsPanel(): void {
  if (!state) return;
  const current = new Set(cols.map((c) => c.id));
  columnsPanel.replaceChildren();
  const groups: Array<[string, string[]]> = [
    [state.strings.run ?? 'Run', ['name', 'status', 'start', 'experiment']],
    [state.strings.metrics ?? 'Metrics', state.metricKeys.map((k) => `metrics.${k}`)],
    [state.strings.params ?? 'Params', state.paramKeys.map((k) => `params.${k}`)],
    [state.strings.tags ?? 'Tags', state.tagKeys.filter((k) => !k.startsWith('mlflow.')).map((k) => `tags.${k}`)],
  ];
  for (const [title, ids] of groups) {
    if (ids.length === 0) continue;
    const group = h('fieldset', 'group');
    group.append(h('legend', '', title));
    for (const id of ids) {
      const box = document.createElement('vscode-checkbox') as HTMLElement & { checked: boolean };
      box.setAttribute('label', columnFor(id).label);
      box.dataset.column = id;
      if (current.has(id)) box.setAttribute('checked', '');
      box.addEventListener('change', () => {
        const now = cols.map((c) => c.id).filter((c) => c !== id);
        if (box.checked) now.push(id);
        save({ columns: now });
        renderHeader();
        renderRows(true);
      });
      group.append(box);
    }
    columnsPanel.append(group);
  }
}

function render(): void {
  if (!state) return;
  const s = state;
  filterBox.value = s.filter;
  filterBox.setAttribute('placeholder', s.strings.filterPlaceholder ?? '');
  applyBtn.textContent = s.strings.apply ?? 'Filter';
  columnsBtn.textContent = s.strings.columns ?? 'Columns';
  refreshBtn.textContent = s.strings.refresh ?? 'Refresh';
  const where = s.serverFilter ? s.strings.filteredByServer : s.strings.filteredLocally;
  status.textContent = s.error ? s.error : `${s.title} · ${s.sourceLabel} · ${s.runs.length.toLocaleString()} ${s.strings.runs ?? 'runs'}${s.filter ? ` · ${where}` : ''}${s.elapsedMs !== undefined ? ` · ${Math.round(s.elapsedMs)} ms` : ''}`;
  status.classList.toggle('error', !!s.error);
  // Selection keeps only runs that still exist.
  const ids = new Set(s.runs.map((r) => r.id));
  selected = new Set([...selected].filter((id) => ids.has(id)));
  sortRows();
  renderHeader();
  virtualizer.setOptions({ ...virtualizer.options, count: rows.length });
  virtualizer._willUpdate();
  renderRows(true);
  selectionChanged();
  if (!columnsPanel.hidden) renderColumnsPanel();
}

function applyFilter(): void {
  // A filter and a refresh answer with the same list: only the newest request's is drawn.
  vscode.request({ type: 'filter', filter: filterBox.value.trim() }, 'runs');
}
filterBox.addEventListener('keydown', (e) => {
  if ((e as KeyboardEvent).key === 'Enter') applyFilter();
});
applyBtn.addEventListener('click', applyFilter);
refreshBtn.addEventListener('click', () => vscode.request({ type: 'refresh' }, 'runs'));
columnsBtn.addEventListener('click', () => {
  columnsPanel.hidden = !columnsPanel.hidden;
  if (!columnsPanel.hidden) renderColumnsPanel();
});
compareBtn.addEventListener('click', () => {
  if (selected.size >= 2) vscode.post({ type: 'compare', runIds: rows.filter((r) => selected.has(r.id)).map((r) => r.id) });
});

const cleanup = virtualizer._didMount();
virtualizer._willUpdate();
window.addEventListener('unload', cleanup);
vscode.start((m) => {
  if (m.type === 'loading') {
    root.classList.toggle('loading', m.loading);
    return;
  }
  state = { ...m.state, runs: decodeRuns(m.state.runs) };
  save({ restore: state.restore });
  render();
});
