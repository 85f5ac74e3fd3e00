// Bundles the extension (one CommonJS file for Node, `vscode` external) and each
// webview (one browser bundle per panel). `--production` minifies and drops maps.
import * as esbuild from 'esbuild';
import { cp, mkdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const require = createRequire(import.meta.url);

/** One entry per webview panel: webviews/<name>/main.ts -> dist/webviews/<name>.js */
export const webviewEntries = ['syllabus', 'scaffold', 'runs', 'compare', 'run-details', 'deployment'];

const common = {
  bundle: true,
  minify: production,
  sourcemap: production ? false : 'linked',
  logLevel: 'info',
  metafile: true,
  absWorkingDir: root,
};

/**
 * Heavy clients, each bundled into dist/vendor/<name>.js and required from the main
 * bundle only where the code imports them, i.e. on first use: activation never pays
 * for them (esbuild splits code only for ESM output; VS Code loads extensions as CJS).
 */
export const lazyPackages = ['dockerode', 'simple-git', 'tar-stream', '@kubernetes/client-node', 'yaml'];
const vendorFile = (pkg) => `vendor/${pkg.replace(/^@/, '').replace(/\//g, '-')}.js`;

const lazyPlugin = {
  name: 'lazy-vendor',
  setup(build) {
    const filter = new RegExp(`^(${lazyPackages.map((p) => p.replace(/[/.]/g, '\\$&')).join('|')})$`);
    build.onResolve({ filter }, (args) => ({ path: `./${vendorFile(args.path)}`, external: true }));
  },
};

const nodeOptions = {
  ...common,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // ssh2's native crypto and cpu-features are optional add-ons of dockerode's ssh
  // transport, loaded in try/catch; the pure-JS paths are used without them.
  external: ['vscode', 'cpu-features', '*.node'],
  mainFields: ['module', 'main'],
};

/**
 * client-node's `node-fetch` is src/kube/core/fetch.ts in the bundle: it also sets the agent's
 * client certificate on each request, which the editor's proxy support would otherwise
 * drop (see that file). The shim's own import of node-fetch resolves as usual.
 */
const kubeFetchShim = path.join(root, 'src', 'kube', 'core', 'fetch.ts');
const kubeFetchPlugin = {
  name: 'kube-fetch',
  setup(build) {
    build.onResolve({ filter: /^node-fetch$/ }, (args) => (args.importer === kubeFetchShim || !/@kubernetes[\\/]client-node/.test(args.importer) ? undefined : { path: kubeFetchShim }));
  },
};

const vendorOptions = {
  ...nodeOptions,
  entryPoints: Object.fromEntries(lazyPackages.map((p) => [vendorFile(p).replace(/\.js$/, ''), p])),
  outdir: 'dist',
  plugins: [kubeFetchPlugin],
};

const extensionOptions = {
  ...common,
  ...nodeOptions,
  entryPoints: ['src/extension.ts'],
  outfile: 'dist/extension.js',
  plugins: [lazyPlugin],
  // import() of a vendor bundle becomes require() (CommonJS interop, as the extension host expects).
  supported: { 'dynamic-import': false },
  // The bundle's first and last statements: activation timing includes evaluating the code.
  banner: { js: 'globalThis.__mlopsLoadStart = performance.now();' },
  footer: { js: 'globalThis.__mlopsLoadEnd = performance.now();' },
};

const webviewOptions = {
  ...common,
  entryPoints: Object.fromEntries(webviewEntries.map((n) => [n, `webviews/${n}/main.ts`])),
  outdir: 'dist/webviews',
  platform: 'browser',
  format: 'esm',
  target: 'es2022',
};

async function copyAssets() {
  // The codicon font used by <vscode-icon>, served from the extension's dist/.
  const codicons = path.dirname(require.resolve('@vscode/codicons/package.json'));
  await mkdir(path.join(root, 'dist/codicons'), { recursive: true });
  for (const f of ['codicon.css', 'codicon.ttf']) {
    await cp(path.join(codicons, 'dist', f), path.join(root, 'dist/codicons', f));
  }
}

async function main() {
  if (!watch) await rm(path.join(root, 'dist'), { recursive: true, force: true });
  await copyAssets();
  if (watch) {
    const contexts = [await esbuild.context(extensionOptions), await esbuild.context(vendorOptions), await esbuild.context(webviewOptions)];
    await Promise.all(contexts.map((c) => c.watch()));
    return;
  }
  const [ext, web] = await Promise.all([esbuild.build(extensionOptions), esbuild.build(webviewOptions), esbuild.build(vendorOptions)]);
  // Kept beside the VSIX, not in it: bench/ reads them to check what the main bundle holds.
  await mkdir(path.join(root, 'out'), { recursive: true });
  await writeFile(path.join(root, 'out/extension.meta.json'), JSON.stringify(ext.metafile));
  await writeFile(path.join(root, 'out/webviews.meta.json'), JSON.stringify(web.metafile));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
