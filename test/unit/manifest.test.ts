import { strict as assert } from 'node:assert';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { Commands, ContextKeys, Settings, TRUSTED_ONLY, ViewContainers, Views, WebviewPanels } from '../../src/vscode/ids';
import { createRecorder, installVscode } from './helpers/recordingVscode';

const root = path.join(__dirname, '..', '..');
const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const nls = JSON.parse(readFileSync(path.join(root, 'package.nls.json'), 'utf8')) as Record<string, string>;
const nlsEs = JSON.parse(readFileSync(path.join(root, 'package.nls.es.json'), 'utf8')) as Record<string, string>;

const contributedCommands: string[] = manifest.contributes.commands.map((c: { command: string }) => c.command);
const contributedViews: string[] = Object.values(manifest.contributes.views as Record<string, Array<{ id: string }>>).flatMap((vs) => vs.map((v) => v.id));

/** Runs the real activate() against a recording stand-in for the editor API. */
function activateRecorded(): { registeredCommands: string[]; viewsWithProvider: string[]; serializers: string[] } {
  const { api, calls } = createRecorder();
  const restore = installVscode(api);
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const ext = require('../../src/extension') as typeof import('../../src/extension');
    const context = createRecorder().make('context') as import('vscode').ExtensionContext;
    ext.activate(context);
  } finally {
    restore();
  }
  const firstArgs = (p: string): string[] => calls.filter((c) => c.path === p).map((c) => String(c.args[0]));
  return {
    registeredCommands: firstArgs('vscode.commands.registerCommand'),
    viewsWithProvider: [...firstArgs('vscode.window.createTreeView'), ...firstArgs('vscode.window.registerTreeDataProvider'), ...firstArgs('vscode.window.registerWebviewViewProvider')],
    serializers: firstArgs('vscode.window.registerWebviewPanelSerializer'),
  };
}

describe('manifest and ids', () => {
  const activation = activateRecorded();

  it('every contributed command is registered at activation', () => {
    const missing = contributedCommands.filter((c) => !activation.registeredCommands.includes(c));
    assert.deepEqual(missing, [], 'contributed but never registered');
  });

  it('every registered command is contributed', () => {
    const extra = activation.registeredCommands.filter((c) => !contributedCommands.includes(c));
    assert.deepEqual(extra, [], 'registered but not in package.json');
  });

  it('every contributed view has a provider', () => {
    const missing = contributedViews.filter((v) => !activation.viewsWithProvider.includes(v));
    assert.deepEqual(missing, []);
  });

  it('the ids in code match the manifest, both ways', () => {
    assert.deepEqual([...Object.values(Commands)].sort(), [...contributedCommands].sort());
    assert.deepEqual([...Object.values(Views)].sort(), [...contributedViews].sort());
    assert.deepEqual(Object.values(ViewContainers), manifest.contributes.viewsContainers.activitybar.map((c: { id: string }) => c.id));
    assert.deepEqual(Object.values(Settings).sort(), Object.keys(manifest.contributes.configuration.properties).sort());
    for (const panel of Object.values(WebviewPanels)) {
      assert.ok(activation.serializers.includes(panel), `${panel} has a serializer`);
      assert.ok(manifest.activationEvents.includes(`onWebviewPanel:${panel}`), `${panel} activates the extension`);
    }
  });

  it('ids follow the naming scheme', () => {
    for (const c of contributedCommands) assert.match(c, /^mlops\.([a-z][a-zA-Z]*\.)?[a-zA-Z]+$/);
    for (const c of manifest.contributes.commands) assert.equal(c.category, 'MLOps', c.command);
    for (const v of contributedViews) assert.match(v, /^mlops\.views\.[a-zA-Z]+$/);
    for (const s of Object.keys(manifest.contributes.configuration.properties)) assert.match(s, /^mlops\.[a-z]+\.[a-zA-Z]+$/);
    for (const k of Object.values(ContextKeys)) assert.match(k, /^mlops:[a-zA-Z]+$/);
  });

  it('menus and walkthroughs reference only contributed commands and views', () => {
    const menus = manifest.contributes.menus as Record<string, Array<{ command: string; when?: string }>>;
    for (const [where, entries] of Object.entries(menus)) {
      for (const e of entries) {
        assert.ok(contributedCommands.includes(e.command), `${where}: ${e.command}`);
        for (const v of e.when?.match(/mlops\.views\.[a-zA-Z]+/g) ?? []) assert.ok(contributedViews.includes(v), `${where}: ${v}`);
      }
    }
    const text = JSON.stringify(manifest.contributes.walkthroughs) + JSON.stringify(nls) + JSON.stringify(manifest.contributes.viewsWelcome);
    for (const [, cmd] of text.matchAll(/command:([a-zA-Z.]+)/g)) {
      const ok = contributedCommands.includes(cmd) || contributedViews.some((v) => cmd === `${v}.focus`);
      assert.ok(ok, `link to ${cmd}`);
    }
    for (const w of manifest.contributes.walkthroughs) {
      for (const step of w.steps) {
        const md = step.media?.markdown;
        if (md) assert.ok(statSync(path.join(root, md)).isFile(), md);
      }
    }
  });

  it('every %placeholder% has English and Spanish text', () => {
    const keys = [...JSON.stringify(manifest).matchAll(/%([a-zA-Z0-9.]+)%/g)].map((m) => m[1]);
    assert.ok(keys.length > 10);
    for (const k of keys) {
      assert.ok(nls[k], `package.nls.json: ${k}`);
      assert.ok(nlsEs[k], `package.nls.es.json: ${k}`);
    }
    assert.deepEqual(Object.keys(nlsEs).sort(), Object.keys(nls).sort(), 'the same keys in both languages');
  });

  it('activates for what it serves: Dockerfiles, Model APIs, DVC and MLflow stores, not only its own views', () => {
    for (const e of ['onLanguage:dockerfile', 'workspaceContains:**/.mlops/project.json', 'workspaceContains:**/Dockerfile', 'workspaceContains:**/dvc.yaml', 'workspaceContains:**/mlflow.db', 'workspaceContains:**/mlruns/*/meta.yaml']) {
      assert.ok(manifest.activationEvents.includes(e), e);
    }
  });

  it('the Explorer menus act only in trusted workspaces, on the files they serve, and on Model API folders only', () => {
    const entries = manifest.contributes.menus['explorer/context'] as { command: string; when: string }[];
    for (const e of entries) {
      assert.match(e.when, /^isWorkspaceTrusted && /, e.command);
      if (/explorerResourceIsFolder/.test(e.when)) assert.match(e.when, /explorerResourceIsFolder && resourcePath in mlops:modelApiFolders/, e.command);
    }
  });

  it('the walkthrough has a step for each feature', () => {
    const steps = (manifest.contributes.walkthroughs[0].steps as { completionEvents: string[] }[]).flatMap((s) => s.completionEvents);
    for (const e of ['onView:mlops.views.syllabus', 'onCommand:mlops.scaffold.modelApi', 'onCommand:mlops.docker.build', 'onCommand:mlops.deploy.containerizeAndDeploy', 'onView:mlops.views.experiments']) assert.ok(steps.includes(e), e);
  });

  it('settings the views and the actions must agree on are one per window', () => {
    // The Kubernetes tree and status bar name one namespace, the Experiments tree one server;
    // a per-folder value would let a deploy or a query use another than the view shows.
    const props = manifest.contributes.configuration.properties as Record<string, { scope?: string }>;
    for (const key of ['mlops.kubernetes.namespace', 'mlops.mlflow.trackingUri']) assert.equal(props[key]?.scope, 'window', key);
  });

  it('restricted mode: commands that run workspace code are disabled there, and a workspace cannot pick executables, engines or servers', () => {
    const byId = new Map((manifest.contributes.commands as { command: string; enablement?: string }[]).map((c) => [c.command, c]));
    for (const id of TRUSTED_ONLY) assert.match(byId.get(id)?.enablement ?? '', /^isWorkspaceTrusted\b/, id);
    for (const [id, c] of byId) if (!TRUSTED_ONLY.has(id as never)) assert.doesNotMatch(c.enablement ?? '', /isWorkspaceTrusted/, `${id} works in restricted mode`);
    const trust = manifest.capabilities.untrustedWorkspaces as { supported: string; restrictedConfigurations: string[]; description: string };
    assert.equal(trust.supported, 'limited');
    assert.ok(nls[trust.description.slice(1, -1)] && nlsEs[trust.description.slice(1, -1)], 'described in English and Spanish');
    for (const key of ['mlops.python.path', 'mlops.docker.host', 'mlops.kubernetes.containerdAddress', 'mlops.mlflow.trackingUri', 'mlops.kubernetes.registry']) assert.ok(trust.restrictedConfigurations.includes(key), key);
    // Where the build context and registry credentials go is the machine's to say, never a repository's.
    const props = manifest.contributes.configuration.properties as Record<string, { scope?: string }>;
    for (const key of ['mlops.docker.host', 'mlops.kubernetes.containerdAddress']) assert.equal(props[key]?.scope, 'machine', key);
  });
});
