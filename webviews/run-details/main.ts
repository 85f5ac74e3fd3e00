// One run: params, metrics (latest value and a sparkline of its history), tags, the
// artifact tree (folders open on demand; files open in the editor or download), and the
// logged model's signature with a button to scaffold a model API around it.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import { h } from '../common/dom';
import type { ArtifactItem, DetailsState, FromDetails, ToDetails } from '../../src/webview/contract/experiments';
import { connect } from '../common/host';

const vscode = connect<FromDetails, ToDetails, { restore: DetailsState['restore'] }>();
const root = document.getElementById('root')!;
let state: DetailsState | undefined;
const folders = new Map<string, HTMLUListElement>();

const SVG = 'http://www.w3.org/2000/svg';
function sparkline(values: readonly number[]): SVGSVGElement {
  const w = 120;
  const hgt = 22;
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('width', String(w));
  svg.setAttribute('height', String(hgt));
  svg.setAttribute('role', 'img');
  const finite = values.filter(Number.isFinite);
  svg.setAttribute('aria-label', `${finite.length} points`);
  if (finite.length < 2) return svg;
  const min = Math.min(...finite);
  const max = Math.max(...finite);
  const span = max - min || 1;
  const pts = finite.map((v, i) => `${((i / (finite.length - 1)) * (w - 2) + 1).toFixed(1)},${(hgt - 1 - ((v - min) / span) * (hgt - 2)).toFixed(1)}`);
  const line = document.createElementNS(SVG, 'polyline');
  line.setAttribute('points', pts.join(' '));
  line.setAttribute('class', 'spark');
  svg.append(line);
  return svg;
}

function kvTable(entries: Array<[string, string | Node]>, extra?: (k: string) => Node | undefined): HTMLTableElement {
  const t = h('table', 'kv');
  for (const [k, v] of entries) {
    const tr = h('tr');
    tr.append(h('td', '', k));
    const td = h('td');
    td.append(v);
    tr.append(td);
    const x = extra?.(k);
    if (x) {
      const td2 = h('td');
      td2.append(x);
      tr.append(td2);
    }
    t.append(tr);
  }
  return t;
}

function size(n?: number): string {
  if (n === undefined) return '';
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}

function artifactList(entries: readonly ArtifactItem[]): HTMLUListElement {
  const ul = h('ul');
  for (const a of [...entries].sort((x, y) => Number(y.isDir) - Number(x.isDir) || x.path.localeCompare(y.path))) {
    const li = h('li');
    const name = a.path.split('/').pop() ?? a.path;
    const label = h('span', '', a.isDir ? `▸ ${name}/` : name);
    label.tabIndex = 0;
    label.setAttribute('role', 'button');
    label.dataset.path = a.path;
    li.append(label);
    if (!a.isDir && a.size !== undefined) li.append(h('small', 'muted', `  ${size(a.size)}`));
    const activate = (): void => {
      if (!a.isDir) {
        vscode.post({ type: 'openArtifact', path: a.path });
        return;
      }
      const open = folders.get(a.path);
      if (open) {
        open.remove();
        folders.delete(a.path);
        label.textContent = `▸ ${name}/`;
        return;
      }
      label.textContent = `▾ ${name}/`;
      const placeholder = h('ul');
      placeholder.append(h('li', 'muted', '…'));
      folders.set(a.path, placeholder);
      li.append(placeholder);
      // Each folder is its own channel: opening two folders shows both; reopening one shows its newest listing.
      vscode.request({ type: 'listArtifacts', dir: a.path }, `listArtifacts:${a.path}`);
    };
    label.addEventListener('click', activate);
    label.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') activate();
    });
    ul.append(li);
  }
  return ul;
}

function render(): void {
  if (!state) return;
  const s = state;
  const r = s.run;
  folders.clear();
  root.replaceChildren();
  root.append(h('h1', '', r.name));
  const actions = h('div', 'actions');
  const copy = h('vscode-button' as 'button', '', s.strings.copyId ?? 'Copy run id');
  copy.setAttribute('secondary', '');
  copy.addEventListener('click', () => vscode.post({ type: 'copy', text: r.id }));
  actions.append(copy);
  if (s.canScaffold) {
    const scaffold = h('vscode-button' as 'button', '', s.strings.scaffold ?? 'Scaffold a model API from this run');
    scaffold.addEventListener('click', () => vscode.post({ type: 'scaffold' }));
    actions.append(scaffold);
  }
  if (s.canRegister) {
    const register = h('vscode-button' as 'button', '', s.strings.register ?? 'Register model…');
    register.setAttribute('secondary', '');
    register.addEventListener('click', () => vscode.post({ type: 'register' }));
    actions.append(register);
  }
  root.append(actions);
  const info: Array<[string, string]> = [
    [s.strings.id ?? 'Run id', r.id],
    [s.strings.experiment ?? 'Experiment', r.experimentName],
    [s.strings.source ?? 'Source', s.sourceLabel],
    [s.strings.status ?? 'Status', r.status],
  ];
  if (r.startTime) info.push([s.strings.start ?? 'Started', new Date(r.startTime).toLocaleString()]);
  if (r.startTime && r.endTime) info.push([s.strings.duration ?? 'Duration', `${((r.endTime - r.startTime) / 1000).toFixed(1)} s`]);
  if (r.gitCommit) info.push([s.strings.commit ?? 'Git commit', r.gitCommit]);
  if (r.parentId) info.push([s.strings.parent ?? 'Parent run', r.parentId]);
  root.append(kvTable(info));

  const metricKeys = Object.keys(r.metrics).sort();
  root.append(h('h2', '', `${s.strings.metrics ?? 'Metrics'} (${metricKeys.length})`));
  root.append(
    kvTable(
      metricKeys.map((k) => [k, String(r.metrics[k])]),
      (k) => (s.histories[k] && s.histories[k].length > 1 ? sparkline(s.histories[k]) : undefined),
    ),
  );
  const paramKeys = Object.keys(r.params).sort();
  root.append(h('h2', '', `${s.strings.params ?? 'Params'} (${paramKeys.length})`));
  root.append(kvTable(paramKeys.map((k) => [k, r.params[k]])));
  const tagKeys = Object.keys(r.tags).filter((k) => !k.startsWith('mlflow.') || k === 'mlflow.note.content').sort();
  root.append(h('h2', '', `${s.strings.tags ?? 'Tags'} (${tagKeys.length})`));
  root.append(kvTable(tagKeys.map((k) => [k, r.tags[k]])));

  if (s.signature) {
    root.append(h('h2', '', s.strings.signature ?? 'Model signature'));
    root.append(h('div', 'muted', s.signature.modelUri));
    if (s.signature.inputs) root.append(h('div', '', s.strings.inputs ?? 'Inputs'), h('pre', 'signature', s.signature.inputs));
    if (s.signature.outputs) root.append(h('div', '', s.strings.outputs ?? 'Outputs'), h('pre', 'signature', s.signature.outputs));
  }

  root.append(h('h2', '', s.strings.artifacts ?? 'Artifacts'));
  const tree = h('div', 'artifacts');
  tree.append(s.artifacts.length ? artifactList(s.artifacts) : s.artifactsError ? h('p', 'error', s.artifactsError) : h('p', 'muted', s.strings.noArtifacts ?? 'No artifacts.'));
  root.append(tree);
}

vscode.start((m) => {
  if (m.type === 'state') {
    state = m.state;
    vscode.setState({ restore: state.restore });
    render();
  } else if (m.type === 'artifacts') {
    const ul = folders.get(m.dir);
    if (!ul) return;
    const list = m.error ? Object.assign(h('ul'), {}) : artifactList(m.entries);
    if (m.error) list.append(h('li', 'error', m.error));
    ul.replaceWith(list);
    folders.set(m.dir, list);
  }
});
