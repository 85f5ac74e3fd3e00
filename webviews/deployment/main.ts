// The deployment panel: the workload's state and pods, its revisions with the model
// version each serves (roll back to any), and a live endpoint form whose requests the
// extension sends through the managed port-forward, showing the response and latency.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import '@vscode-elements/elements/dist/vscode-textarea/index.js';
import { h } from '../common/dom';
import { connect } from '../common/host';
import type { DeploymentState, EndpointResponse, FromDeployment, PanelRef, ToDeployment } from '../../src/webview/contract/deployment';

const vscode = connect<FromDeployment, ToDeployment, { ref: PanelRef; path?: string; body?: string }>();
const root = document.getElementById('root')!;
let state: DeploymentState | undefined;
/** The last response, shown again when a refresh draws the page anew. */
let lastResponse: EndpointResponse | undefined;
type Field = HTMLElement & { value: string };
/** The endpoint form as the user left it: kept across re-renders (every refresh) and reloads. */
const form: { path?: string; body?: string } = { ...vscode.getState() };
const saveForm = (ref: PanelRef): void => vscode.setState({ ref, ...(form.path !== undefined ? { path: form.path } : {}), ...(form.body !== undefined ? { body: form.body } : {}) });

function button(text: string, message: FromDeployment, secondary = true): HTMLElement {
  const b = h('vscode-button' as 'button', '', text);
  if (secondary) b.setAttribute('secondary', '');
  b.addEventListener('click', () => vscode.post(message));
  return b;
}

function row(cells: Array<string | Node>, tag: 'td' | 'th' = 'td'): HTMLTableRowElement {
  const tr = h('tr');
  for (const c of cells) {
    const td = h(tag);
    td.append(c);
    tr.append(td);
  }
  return tr;
}

function render(s: DeploymentState): void {
  const t = s.strings;
  root.replaceChildren();
  const head = h('header');
  head.append(h('h1', '', s.ref.name), h('span', 'muted', `${s.ref.context} / ${s.ref.namespace}`));
  const actions = h('div', 'actions');
  actions.append(button(t.refresh, { type: 'refresh' }), button(t.logs, { type: 'logs' }), button(t.docs, { type: 'openDocs' }));
  head.append(actions);
  root.append(head);
  if (s.error) root.append(h('p', 'error', s.error));
  if (s.missing) return;

  if (s.state) {
    const summary = h('table', 'kv');
    const badge = h('span', `badge ${s.state}`, t[s.state] ?? s.state);
    summary.append(row([t.state, badge]), row([t.ready, `${s.ready ?? 0}/${s.desired ?? 0}`]), row([t.model, s.modelVersion ?? '—']), ...(s.served ? [row([t.registered, s.served])] : []), row([t.image, h('code', '', s.image ?? '')]));
    if (s.message) summary.append(row(['', h('span', 'muted', s.message)]));
    root.append(summary);
  }

  root.append(h('h2', '', t.pods));
  const pods = h('table', 'grid');
  pods.append(row(['', t.status, t.restarts, t.model], 'th'));
  for (const p of s.pods) pods.append(row([p.name, h('span', p.ready ? 'ok' : '', p.status), String(p.restarts), p.modelVersion ?? '']));
  root.append(pods);

  root.append(h('h2', '', t.revisions));
  const revs = h('table', 'grid revisions');
  revs.append(row([t.revision, t.model, t.image, t.commit, t.created, ''], 'th'));
  for (const r of s.revisions) {
    const action = r.current ? h('span', 'badge available', t.serving) : button(t.rollback, { type: 'rollback', revision: r.revision });
    const tr = row([String(r.revision), r.served ?? r.modelVersion ?? '', h('code', '', r.image), r.gitCommit?.slice(0, 12) ?? '', r.created ? new Date(r.created).toLocaleString() : '', action]);
    tr.dataset.revision = String(r.revision);
    revs.append(tr);
  }
  root.append(revs);

  // Which version served from when to when: "what was in production last Tuesday".
  if (s.timeline?.length) {
    root.append(h('h2', '', t.timeline));
    const tl = h('table', 'grid timeline');
    tl.append(row([t.what, t.revision, t.from, t.to], 'th'));
    const when = (iso: string | undefined): string => (iso ? new Date(iso).toLocaleString() : '?');
    for (const p of s.timeline) {
      const tr = row([p.current ? h('strong', '', p.what) : p.what, String(p.revision), when(p.from), p.to ? when(p.to) : t.now]);
      // Not data-revision: that names the revisions table's rows (one per revision).
      tr.dataset.servedRevision = String(p.revision);
      tl.append(tr);
    }
    root.append(tl);
  }

  root.append(h('h2', '', t.endpoint));
  const ep = h('section', 'endpoint');
  if (s.endpoint) ep.append(h('p', '', s.endpoint));
  else ep.append(h('p', 'muted', t.noEndpoint), button(t.forward, { type: 'forward' }, false));
  const pathField = document.createElement('vscode-textfield') as Field;
  pathField.value = form.path ?? '/predict';
  pathField.setAttribute('aria-label', t.path);
  pathField.id = 'path';
  const bodyField = document.createElement('vscode-textarea') as Field;
  bodyField.value = form.body ?? s.samplePayload ?? '';
  bodyField.setAttribute('rows', '8');
  bodyField.setAttribute('aria-label', t.body);
  bodyField.setAttribute('placeholder', t.body);
  bodyField.id = 'body';
  const send = h('vscode-button' as 'button', '', t.send);
  send.id = 'send';
  pathField.addEventListener('input', () => {
    form.path = pathField.value;
    saveForm(s.ref);
  });
  bodyField.addEventListener('input', () => {
    form.body = bodyField.value;
    saveForm(s.ref);
  });
  send.addEventListener('click', () => {
    out.replaceChildren(h('p', 'muted', '…'));
    vscode.request({ type: 'send', path: pathField.value.startsWith('/') ? pathField.value : `/${pathField.value}`, body: bodyField.value });
  });
  const out = h('div', 'response');
  out.id = 'response';
  ep.append(h('label', '', t.path), pathField, h('label', '', t.body), bodyField, send, out);
  root.append(ep);
  if (lastResponse) showResponse(lastResponse);
}

function showResponse(r: EndpointResponse): void {
  lastResponse = r;
  const t = state?.strings ?? {};
  const out = document.getElementById('response');
  if (!out) return;
  out.replaceChildren();
  if (r.error) {
    out.append(h('p', 'error', r.error));
    return;
  }
  const line = h('p', '');
  line.append(h('span', `badge ${r.status >= 200 && r.status < 300 ? 'available' : 'failing'}`, `${t.status ?? 'Status'} ${r.status}`), h('span', 'latency', `  ${t.latency ?? 'Latency'}: ${r.ms.toFixed(1)} ms`));
  let body = r.body;
  try {
    body = JSON.stringify(JSON.parse(r.body), null, 2);
  } catch {
    // Not JSON: shown as it came.
  }
  out.append(line, h('pre', '', body));
}

vscode.start((m) => {
  if (m.type === 'state') {
    state = m.state;
    saveForm(m.state.ref);
    render(m.state);
  } else if (m.type === 'response') showResponse(m.response);
});
