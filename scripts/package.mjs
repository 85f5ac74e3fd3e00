// Builds for production and packages the VSIX into out/. Prints the VSIX path.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
export const vsixPath = path.join(root, 'out', `${pkg.name}-${pkg.version}.vsix`);

/**
 * Everything runtime is bundled by esbuild, so node_modules is not shipped. The
 * README's pictures ship in media/screenshots, so relative links stay as they are.
 */
export const vsceArgs = ['package', '--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links', '--out', vsixPath];

export function packageVsix({ quiet = false } = {}) {
  mkdirSync(path.dirname(vsixPath), { recursive: true });
  const vsce = path.join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
  // vscode:prepublish (the production build) runs inside `vsce package`.
  execFileSync(process.execPath, [vsce, ...vsceArgs], {
    cwd: root,
    stdio: quiet ? ['ignore', 'ignore', 'inherit'] : 'inherit',
  });
  return vsixPath;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  packageVsix();
  console.log(vsixPath);
}
