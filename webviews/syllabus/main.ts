// The syllabus overview. Renders the state the extension sends; every change goes
// back as a message, and the extension answers with the new state.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-collapsible/index.js';
import '@vscode-elements/elements/dist/vscode-progress-bar/index.js';
import '@vscode-elements/elements/dist/vscode-radio/index.js';
import '@vscode-elements/elements/dist/vscode-radio-group/index.js';
import type { FromWebview, OverviewModule, OverviewState, OverviewWebviewState, ToWebview, TopicFilter } from '../../src/webview/contract/syllabus';
import { connect } from '../common/host';

const vscode = connect<FromWebview, ToWebview, OverviewWebviewState>();
let ui: OverviewWebviewState = vscode.getState() ?? { filter: 'all', collapsed: [] };
let current: OverviewState | undefined;
const root = document.getElementById('root')!;

function saveUi(next: Partial<OverviewWebviewState>): void {
  ui = { ...ui, ...next };
  vscode.setState(ui);
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props?: Record<string, unknown>, ...children: (Node | string)[]): HTMLElementTagNameMap[K];
function el(tag: string, props?: Record<string, unknown>, ...children: (Node | string)[]): HTMLElement;
function el(tag: string, props: Record<string, unknown> = {}, ...children: (Node | string)[]): HTMLElement {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === false) continue;
    if (k === 'class') e.className = String(v);
    // Attributes, not properties: the custom elements read them, and they stay visible in the DOM.
    else if (typeof v === 'string' || typeof v === 'number') e.setAttribute(k, String(v));
    else if (v === true) e.setAttribute(k, '');
    else (e as unknown as Record<string, unknown>)[k] = v;
  }
  e.append(...children);
  return e;
}

function percent(done: number, total: number): number {
  return total === 0 ? 0 : Math.round((100 * done) / total);
}

function renderModule(m: OverviewModule, filter: TopicFilter, s: OverviewState): HTMLElement {
  const visible = m.topics.filter((t) => filter === 'all' || (filter === 'done') === t.done);
  const list = el('ul', { class: 'topics' });
  for (const t of visible) {
    const checkbox = el('vscode-checkbox', { label: t.text, checked: t.done, 'data-key': t.key });
    checkbox.addEventListener('change', () => {
      vscode.post({ type: 'toggle', key: t.key, done: (checkbox as unknown as { checked: boolean }).checked });
    });
    const row = el('li', { class: `topic depth-${Math.min(t.depth, 6)}${t.done ? ' done' : ''}`, 'data-key': t.key }, checkbox);
    if (t.actionLabel) {
      const button = el('vscode-button', { secondary: true, class: 'action' }, t.actionLabel);
      button.addEventListener('click', () => vscode.post({ type: 'runAction', key: t.key }));
      row.append(button);
    }
    list.append(row);
  }
  if (visible.length === 0) list.append(el('li', { class: 'empty' }, s.strings.empty));

  const pct = percent(m.done, m.total);
  const summary = `${m.done}/${m.total} · ${pct}%${m.hours !== undefined ? ` · ${m.hours} h` : ''}`;
  const collapsible = el(
    'vscode-collapsible',
    { heading: m.title, description: summary, open: !ui.collapsed.includes(m.key), 'data-module': m.key, class: 'module' },
    el('div', { class: 'module-body' }, m.description ? el('p', { class: 'description' }, m.description) : '', el('vscode-progress-bar', { value: pct, max: 100, 'aria-label': `${m.title}: ${pct}%` }), list),
  );
  collapsible.addEventListener('vsc-collapsible-toggle', (e) => {
    const open = (e as CustomEvent<{ open: boolean }>).detail?.open ?? (collapsible as unknown as { open: boolean }).open;
    const set = new Set(ui.collapsed);
    if (open) set.delete(m.key);
    else set.add(m.key);
    saveUi({ collapsed: [...set] });
  });
  return collapsible;
}

function render(): void {
  const s = current;
  if (!s) return;
  const filterGroup = el('vscode-radio-group', { class: 'filter' });
  for (const [value, label] of [
    ['all', s.strings.filterAll],
    ['done', s.strings.filterDone],
    ['todo', s.strings.filterTodo],
  ] as const) {
    filterGroup.append(el('vscode-radio', { name: 'filter', value, label, checked: ui.filter === value }));
  }
  filterGroup.addEventListener('change', (e) => {
    const value = (e.target as HTMLInputElement).value as TopicFilter;
    saveUi({ filter: value });
    render();
  });

  const totalPct = percent(s.done, s.total);
  const totals = el(
    'section',
    { class: 'totals' },
    el('div', { class: 'stat', id: 'total-topics' }, el('span', { class: 'label' }, s.strings.total), el('span', { class: 'value' }, `${s.done}/${s.total} (${totalPct}%)`)),
    s.hoursTotal > 0 ? el('div', { class: 'stat', id: 'total-hours' }, el('span', { class: 'label' }, s.strings.hours), el('span', { class: 'value' }, `${s.hoursDone}/${s.hoursTotal} h`)) : '',
    el('vscode-progress-bar', { value: totalPct, max: 100, 'aria-label': `${s.strings.total}: ${totalPct}%` }),
  );
  const header = el('header', {}, el('h1', {}, s.syllabusTitle), totals, filterGroup);
  if (s.problemCount > 0) {
    const link = el('vscode-button', { secondary: true, class: 'problems' }, `${s.strings.problems}: ${s.problemCount}`);
    link.addEventListener('click', () => vscode.post({ type: 'showProblems' }));
    header.append(link);
  }
  const scroll = window.scrollY;
  root.replaceChildren(header, ...s.modules.map((m) => renderModule(m, ui.filter, s)));
  window.scrollTo(0, scroll);
}

vscode.start((msg) => {
  if (msg.type === 'state') {
    current = msg.state;
    render();
  }
});
