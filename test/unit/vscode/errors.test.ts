// showError, the one way an error reaches the user, against a minimal editor API that
// answers the toast as a user would (clicking one of its buttons).
import { strict as assert } from 'node:assert';
import { installVscode } from '../helpers/recordingVscode';
import { CancelledError } from '../../../src/common/cancellation';
import { ErrorCode, UserFacingError } from '../../../src/common/errors';

interface Toast {
  message: string;
  buttons: string[];
}

function fakeEditor(click: (t: Toast) => string | undefined) {
  const toasts: Toast[] = [];
  const executed: unknown[][] = [];
  const api = {
    window: {
      showErrorMessage: async (message: string, ...buttons: string[]) => {
        const toast = { message, buttons };
        toasts.push(toast);
        return click(toast);
      },
    },
    commands: { executeCommand: async (...args: unknown[]) => void executed.push(args) },
    l10n: { t: (m: string, ...a: unknown[]) => m.replace(/\{(\d+)\}/g, (_, i: string) => String(a[Number(i)])) },
    CancellationError: class CancellationError extends Error {},
  };
  return { api, toasts, executed };
}

const lines: string[] = [];
const log = { info: (m: string) => lines.push(`info ${m}`), error: (m: string) => lines.push(`error ${m}`), debug: () => undefined, warn: () => undefined, trace: () => undefined };

describe('showError (src/vscode/errors.ts)', () => {
  // One fake for the whole file (the module binds `vscode` once); each test sets the click.
  let click: (t: Toast) => string | undefined = () => undefined;
  const editor = fakeEditor((t) => click(t));
  let uninstall: () => void = () => undefined;
  let showError: typeof import('../../../src/vscode/errors').showError;
  before(() => {
    uninstall = installVscode(editor.api);
    // A fresh copy bound to this fake (another test may have loaded it with its own).
    const id = require.resolve('../../../src/vscode/errors');
    delete require.cache[id];
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    ({ showError } = require(id) as typeof import('../../../src/vscode/errors'));
  });
  after(() => uninstall());
  beforeEach(() => {
    editor.toasts.length = 0;
    editor.executed.length = 0;
  });

  it('a UserFacingError shows its message, its own actions and Show Log; an action runs its command', async () => {
    click = (t) => t.buttons[1];
    const err = new UserFacingError('The base image is missing.', 'stderr…', { code: ErrorCode.baseImageMissing, actions: [{ label: 'Open Settings', command: 'workbench.action.openSettings', args: ['mlops.docker.baseImage'] }] });
    let shown = false;
    await showError(err, log, { context: 'build', actions: [{ label: 'Show Build Output', run: () => (shown = true) }] });
    assert.deepEqual(editor.toasts, [{ message: 'The base image is missing.', buttons: ['Show Build Output', 'Open Settings', 'Show Log'] }]);
    assert.deepEqual(editor.executed, [['workbench.action.openSettings', 'mlops.docker.baseImage']]);
    assert.equal(shown, false);
    assert.ok(lines.includes('error stderr…'), 'the detail goes to the log');
  });

  it('a local action runs here; a message wrapper frames the text; other errors get the MLOps prefix', async () => {
    click = (t) => t.buttons[0];
    let shown = false;
    await showError(new UserFacingError('no image'), log, { context: 'deploy', message: (m) => `Deploy failed: ${m}`, actions: [{ label: 'Show Deploy Output', run: () => (shown = true) }] });
    assert.equal(editor.toasts[0]!.message, 'Deploy failed: no image');
    assert.equal(shown, true);
    click = (t) => t.buttons.at(-1);
    await showError(new Error('socket hang up'), log, { context: 'x' });
    assert.equal(editor.toasts[1]!.message, 'MLOps: socket hang up');
    assert.deepEqual(editor.executed, [['mlops.showLog']]);
  });

  it('a cancellation shows nothing', async () => {
    await showError(new CancelledError(), log, { context: 'deploy' });
    assert.deepEqual(editor.toasts, []);
  });
});
