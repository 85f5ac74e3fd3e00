// Regenerates sample-workspace/iris-api from the current templates (its model stays).
// Run: npx tsx scripts/regenerate-sample.ts
import path from 'node:path';
import { SAMPLE_FEATURES } from '../src/scaffold/core/model';
import { planProject } from '../src/scaffold/core/render';
import { loadTemplates } from '../src/scaffold/core/templates';
import { inspectPlan, writePlan } from '../src/scaffold/core/write';

async function main(): Promise<void> {
  const root = path.resolve(__dirname, '..');
  const dir = path.join(root, 'sample-workspace', 'iris-api');
  const templates = await loadTemplates(path.join(root, 'media', 'templates', 'model-api'));
  const plan = await inspectPlan(dir, planProject({ framework: 'fastapi', projectName: 'iris-api', modelSource: { kind: 'sample' }, features: SAMPLE_FEATURES, port: 8000, pythonVersion: '3.12' }, templates));
  const written = await writePlan(dir, plan, () => 'write');
  console.log(written.length ? `rewrote ${written.join(', ')}` : 'already up to date');
}

void main();
