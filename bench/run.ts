// `npm run bench`: every comparison, side by side with its peer in the same run;
// results in bench/results/<id>.json and a table in bench/results/README.md.
import { benchActivation } from './activation';
import { benchBuild } from './build';
import { benchDeploy } from './deploy';
import { benchExperiments } from './experiments';
import { benchRegistry } from './registry';
import { benchScale } from './scale';
import { writeIndex } from './results';
import { benchServing } from './serving';

const benches: Record<string, () => Promise<void>> = {
  activation: benchActivation,
  serving: benchServing,
  build: benchBuild,
  experiments: benchExperiments,
  scale: benchScale,
  registry: benchRegistry,
  deploy: benchDeploy,
};

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  for (const [name, run] of Object.entries(benches)) {
    if (only.length > 0 && !only.includes(name)) continue;
    console.log(`\n=== bench: ${name} ===`);
    await run();
  }
  writeIndex();
  console.log('\nresults written to bench/results/');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
