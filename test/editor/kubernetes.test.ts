// Kubernetes commands that need no cluster, in the real editor.
import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import { Commands } from '../../src/vscode/ids';
import { answer, extension } from './helpers';

describe('kubernetes commands without a cluster (editor)', () => {
  let restore: () => void = () => undefined;
  afterEach(() => restore());

  it('Set Registry Credentials for "ghcr.io/org" serves pushes to any ghcr.io/org/… image, and to a differently cased host', async () => {
    const ext = await extension();
    const a = answer({ showInputBox: ['ghcr.io/org', 'octo', 'tok-123'], showInformationMessage: [undefined] });
    restore = a.restore;
    await vscode.commands.executeCommand(Commands.kubernetesSetRegistryCredentials);
    assert.deepEqual(a.asked.map((q) => q.method), ['showInputBox', 'showInputBox', 'showInputBox', 'showInformationMessage']);
    // The deploy asks for the credentials of the registry it pushes to: the configured one.
    assert.deepEqual(await ext.registryCredentials.get('ghcr.io/org'), { username: 'octo', password: 'tok-123' });
    assert.deepEqual(await ext.registryCredentials.get('GHCR.io'), { username: 'octo', password: 'tok-123' });
    assert.equal(await ext.registryCredentials.get('quay.io/org'), undefined);
  });

  it('cancelling any of the three questions stores nothing', async () => {
    const ext = await extension();
    const a = answer({ showInputBox: ['registry.example:5000/team', 'someone', undefined] });
    restore = a.restore;
    await vscode.commands.executeCommand(Commands.kubernetesSetRegistryCredentials);
    assert.equal(await ext.registryCredentials.get('registry.example:5000'), undefined);
  });
});
