// The editor tier's runner, inside the extension host of a real VS Code (code-server).
// It does nothing unless MLOPS_EDITOR_TESTS names a plan (written by test/editor/run.ts):
// mocha's path, the test files (bundled into the MLOps extension's own folder, so their
// `require('vscode')` is that extension's API object) and where the report goes.
'use strict';
const fs = require('node:fs');

exports.activate = function activate() {
  const vscode = require('vscode');
  const planFile = process.env.MLOPS_EDITOR_TESTS;
  if (!planFile) return;
  const plan = JSON.parse(fs.readFileSync(planFile, 'utf8'));
  const Mocha = require(plan.mocha);
  const mocha = new Mocha({ ui: 'bdd', timeout: plan.timeout, reporter: 'json', reporterOptions: { output: plan.report }, ...(plan.grep ? { grep: plan.grep } : {}) });
  for (const f of plan.files) mocha.addFile(f);
  const finish = (error) => {
    // Which commands ran (the MLOps extension's registry counts them), for the list of those no test ran.
    const api = vscode.extensions.getExtension('mlops-workbench.mlops-workbench')?.exports;
    const invoked = api && api.commands ? [...api.commands.invoked] : [];
    fs.writeFileSync(plan.done, JSON.stringify({ error: error ? String(error.stack || error) : undefined, invoked }));
  };
  mocha
    .loadFilesAsync()
    .then(() => mocha.run(() => setTimeout(() => finish(), 200)))
    .catch((err) => finish(err));
};

exports.deactivate = function deactivate() {};
