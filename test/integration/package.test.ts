// The real packaging path: esbuild's production bundle and vsce's VSIX, checked
// for what ships and what must not.
import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..');
type PackageLib = typeof import('../../scripts/package.mjs', { with: { 'resolution-mode': 'import' } });

describe('packaging (real esbuild and vsce)', function () {
  let files: string[] = [];
  let vsix = '';
  let vsceOutput = '';

  before(async function () {
    this.timeout(300_000);
    execFileSync('bash', [path.join(root, 'test', 'env', 'apt.sh'), 'unzip'], { stdio: 'inherit' });
    const vsce = path.join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
    const pkg = (await import('../../scripts/package.mjs')) as PackageLib;
    vsix = pkg.vsixPath;
    const r = spawnSync(process.execPath, [vsce, ...pkg.vsceArgs], { cwd: root, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    // npm's notice about a machine-wide .npmrc key is not the package's business.
    vsceOutput = `${r.stdout}\n${r.stderr}`
      .split('\n')
      .filter((l) => !/^npm warn Unknown (user|global|env|project|builtin) config/.test(l))
      .join('\n');
    files = execFileSync('unzip', ['-Z1', vsix], { encoding: 'utf8' }).split('\n').filter(Boolean);
  });

  it('packages without warnings', () => {
    assert.doesNotMatch(vsceOutput, /WARNING|warn/i);
  });

  it('ships only what runs: dist, media, l10n, manifest, nls, README, CHANGELOG, LICENSE', () => {
    const allowed = /^extension\/(dist\/.+|media\/.+|snippets\/.+|l10n\/.+|package\.json|package\.nls(\.[a-z-]+)?\.json|readme\.md|changelog\.md|LICENSE\.txt)$/i;
    const shipped = files.filter((f) => f.startsWith('extension/'));
    const unexpected = shipped.filter((f) => !allowed.test(f));
    assert.deepEqual(unexpected, []);
    assert.ok(!shipped.some((f) => f.includes('node_modules') || f.endsWith('.map') || f.endsWith('.ts')), 'no sources, maps or node_modules');
    for (const need of ['extension/media/screenshots/syllabus-overview.png', 'extension/dist/extension.js', 'extension/dist/webviews/syllabus.js', 'extension/dist/codicons/codicon.css', 'extension/l10n/bundle.l10n.es.json', 'extension/package.nls.es.json', 'extension/media/syllabi/mlops-course.md']) {
      assert.ok(shipped.includes(need), need);
    }
  });

  it('the main bundle leaves out the heavy clients (they load on first use)', () => {
    const meta = JSON.parse(readFileSync(path.join(root, 'out', 'extension.meta.json'), 'utf8')) as { inputs: Record<string, unknown> };
    const inputs = Object.keys(meta.inputs);
    assert.ok(inputs.some((i) => i.startsWith('src/')), 'the metafile lists our sources');
    for (const heavy of ['node_modules/@kubernetes/client-node', 'node_modules/dockerode', 'node_modules/docker-modem', 'node_modules/ssh2']) {
      assert.ok(!inputs.some((i) => i.startsWith(heavy)), `${heavy} is in the main bundle`);
    }
  });

  it('every vendor bundle the main bundle requires on first use is shipped and loads', () => {
    const main = readFileSync(path.join(root, 'dist', 'extension.js'), 'utf8');
    const vendors = [...main.matchAll(/require\("\.\/(vendor\/[\w.-]+\.js)"\)/g)].map((m) => m[1]);
    assert.ok(vendors.includes('vendor/dockerode.js') && vendors.includes('vendor/tar-stream.js'), vendors.join(', '));
    for (const v of vendors) {
      assert.ok(files.includes(`extension/dist/${v}`), `${v} is in the VSIX`);
      const r = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(path.join(root, 'dist', v))})`], { encoding: 'utf8' });
      assert.equal(r.status, 0, `${v} loads: ${r.stderr}`);
    }
  });

  it('the webview bundle carries the vscode-elements components and no editor API', () => {
    const meta = JSON.parse(readFileSync(path.join(root, 'out', 'webviews.meta.json'), 'utf8')) as { inputs: Record<string, unknown> };
    const inputs = Object.keys(meta.inputs);
    assert.ok(inputs.some((i) => i.includes('@vscode-elements/elements')));
    assert.ok(!inputs.some((i) => i.includes('webview-ui-toolkit')), 'the deprecated toolkit is not used');
    const js = readFileSync(path.join(root, 'dist', 'webviews', 'syllabus.js'), 'utf8');
    assert.doesNotMatch(js, /require\(["']vscode["']\)/);
  });
});
