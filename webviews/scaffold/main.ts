// The New Model API form. Field errors come from the same pure rules the
// extension applies (src/scaffold/core/model.ts); what only the extension can know (a
// busy port, a folder with files) arrives as warnings.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-form-group/index.js';
import '@vscode-elements/elements/dist/vscode-form-helper/index.js';
import '@vscode-elements/elements/dist/vscode-label/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-radio/index.js';
import '@vscode-elements/elements/dist/vscode-radio-group/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-textarea/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import type { Problem } from '../../src/scaffold/core/model';
import { optionsFromDraft, parseFeatureList, validateOptions } from '../../src/scaffold/core/model';
import type { Choice, FromWizard, ToWizard, WizardDraft, WizardInit } from '../../src/webview/contract/scaffold';
import { connect } from '../common/host';

const vscode = connect<FromWizard, ToWizard, { draft: WizardDraft }>();
const root = document.getElementById('root')!;
let init: WizardInit | undefined;
let draft: WizardDraft | undefined;
let expected: number | undefined;
let warnings: readonly Problem[] = [];
let busy = false;
let serverError = '';
let checkTimer: ReturnType<typeof setTimeout> | undefined;

type Field = Problem['field'];
const valueOf = (e: Element): string => (e as unknown as { value: string }).value ?? '';

function el(tag: string, attrs: Record<string, string | boolean | undefined> = {}, ...children: (Node | string)[]): HTMLElement {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    e.setAttribute(k, v === true ? '' : v);
  }
  e.append(...children);
  return e;
}

function update(patch: Partial<WizardDraft>): void {
  draft = { ...draft!, ...patch };
  vscode.setState({ draft });
  renderProblems();
  if (checkTimer) clearTimeout(checkTimer);
  checkTimer = setTimeout(() => vscode.request({ type: 'check', draft: draft! }), 300);
}

function problems(): Problem[] {
  if (!draft) return [];
  const options = optionsFromDraft({ ...draft, features: parseFeatureList(draft.featuresText) });
  return validateOptions(options, draft.source === 'file' ? expected : undefined);
}

function renderProblems(): void {
  const errs = problems();
  const fields: Field[] = ['framework', 'modelSource', 'features', 'projectName', 'port', 'pythonVersion'];
  for (const f of fields) {
    const helper = document.getElementById(`help-${f}`);
    if (!helper) continue;
    const mine = errs.filter((p) => p.field === f);
    const warn = warnings.filter((p) => p.field === f);
    helper.replaceChildren(...mine.map((p) => el('div', { class: 'error' }, p.message)), ...warn.map((p) => el('div', { class: 'warning' }, p.message)));
  }
  const create = document.getElementById('create');
  if (create) {
    if (errs.length > 0 || busy) create.setAttribute('disabled', '');
    else create.removeAttribute('disabled');
    create.textContent = busy ? init!.strings.creating : init!.strings.create;
  }
  const error = document.getElementById('server-error');
  if (error) error.textContent = serverError;
}

function select(id: string, choices: readonly Choice[], value: string, onChange: (v: string) => void): HTMLElement {
  const s = el('vscode-single-select', { id });
  for (const c of choices) s.append(el('vscode-option', { value: c.path, selected: c.path === value, description: c.path }, c.label));
  s.addEventListener('change', () => onChange(valueOf(s)));
  return s;
}

function textfield(id: string, value: string, onInput: (v: string) => void, attrs: Record<string, string> = {}): HTMLElement {
  const t = el('vscode-textfield', { id, value, ...attrs });
  t.addEventListener('input', () => onInput(valueOf(t)));
  return t;
}

/** A labelled control; `field` names the problems shown under it (none: no helper). */
function group(label: string, field: Field | undefined, forId: string, ...controls: (Node | string)[]): HTMLElement {
  return el('vscode-form-group', { variant: 'vertical' }, el('vscode-label', { for: forId }, label), ...controls, field ? el('vscode-form-helper', { id: `help-${field}` }) : '');
}

function render(): void {
  const s = init!.strings;
  const d = draft!;
  const framework = el('vscode-radio-group', { id: 'framework' });
  for (const [value, label] of [
    ['fastapi', 'FastAPI'],
    ['flask', 'Flask'],
  ]) {
    framework.append(el('vscode-radio', { name: 'framework', value, label, checked: d.framework === value }));
  }
  framework.addEventListener('change', (e) => update({ framework: (e.target as HTMLInputElement).value as WizardDraft['framework'] }));

  const source = el('vscode-radio-group', { id: 'source', variant: 'vertical' });
  for (const [value, label] of [
    ['sample', s.sample],
    ['file', s.file],
    ['mlflow', s.mlflow],
  ]) {
    source.append(el('vscode-radio', { name: 'source', value, label, checked: d.source === value }));
  }
  source.addEventListener('change', (e) => {
    const value = (e.target as HTMLInputElement).value as WizardDraft['source'];
    update({ source: value, ...(value === 'sample' ? { featuresText: 'sepal_length:float, sepal_width:float, petal_length:float, petal_width:float' } : {}) });
    if (value === 'file' && draft!.modelFile) vscode.request({ type: 'inspect', path: draft!.modelFile }, 'features');
    render();
  });

  const sourceDetail =
    d.source === 'file'
      ? init!.modelFiles.length > 0
        ? select('modelFile', init!.modelFiles, d.modelFile, (v) => {
            update({ modelFile: v });
            // Another model picked before the first one's inputs were read: only the newest answer fills the form.
            vscode.request({ type: 'inspect', path: v }, 'features');
          })
        : el('p', { class: 'note' }, s.noModelFiles)
      : d.source === 'mlflow'
        ? textfield('mlflowUri', d.mlflowUri, (v) => update({ mlflowUri: v }), { placeholder: 'runs:/<run id>/model · models:/<name>/<version>' })
        : '';

  const features = el('vscode-textarea', { id: 'features', rows: '3', value: d.featuresText, disabled: d.source === 'sample' });
  features.addEventListener('input', () => update({ featuresText: valueOf(features) }));
  const csv =
    d.source !== 'sample' && init!.csvFiles.length > 0
      ? el('div', { class: 'csv' }, el('span', {}, s.fromCsv), select('csv', [{ label: '—', path: '' }, ...init!.csvFiles], '', (v) => v && vscode.request({ type: 'csv', path: v }, 'features')))
      : '';

  const create = el('vscode-button', { id: 'create' }, s.create);
  create.addEventListener('click', () => {
    if (busy || problems().length > 0) return;
    serverError = '';
    vscode.post({ type: 'create', draft: draft! });
  });

  root.replaceChildren(
    el('h1', {}, s.heading),
    el('p', { class: 'intro' }, s.intro),
    group(s.framework, 'framework', 'framework', framework),
    group(s.model, 'modelSource', 'source', source, sourceDetail),
    group(s.features, 'features', 'features', features, el('div', { class: 'hint' }, s.featuresHelp), csv),
    el('div', { class: 'row' }, group(s.folder, undefined, 'parent', select('parent', init!.folders, d.parent, (v) => update({ parent: v }))), group(s.name, 'projectName', 'projectName', textfield('projectName', d.projectName, (v) => update({ projectName: v })), el('div', { class: 'hint' }, s.nameHelp))),
    el(
      'div',
      { class: 'row' },
      group(s.port, 'port', 'port', textfield('port', d.port, (v) => update({ port: v }), { type: 'number' })),
      group(s.python, 'pythonVersion', 'python', select('python', init!.pythonVersions.map((v) => ({ label: v, path: v })), d.pythonVersion, (v) => update({ pythonVersion: v }))),
    ),
    el('div', { class: 'actions' }, create, el('span', { id: 'server-error', class: 'error' })),
  );
  renderProblems();
}

vscode.start((m) => {
  switch (m.type) {
    case 'init':
      init = m.init;
      draft = vscode.getState()?.draft ?? m.init.draft;
      render();
      if (draft.source === 'file' && draft.modelFile) vscode.request({ type: 'inspect', path: draft.modelFile }, 'features');
      return;
    case 'features':
      expected = m.expected;
      // Another model's answer replaces the inputs: none read (an unreadable file) leaves none, not the previous model's.
      update({ featuresText: m.features.map((f) => `${f.name}:${f.type}`).join(', ') });
      warnings = m.warning ? [{ field: 'features', message: m.warning }] : [];
      render();
      return;
    case 'warnings':
      warnings = m.warnings;
      renderProblems();
      return;
    case 'busy':
      busy = m.busy;
      serverError = m.error ?? '';
      renderProblems();
      return;
  }
});
