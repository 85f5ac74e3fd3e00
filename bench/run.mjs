// Entry for `npm run bench`: makes sure dependencies are installed, then runs the
// TypeScript benchmarks under tsx.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDependencies } from '../scripts/lib/bootstrap.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
ensureDependencies();
const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(here, 'run.ts'), ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(r.status ?? 1);
