import { readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';

export const resultsDir = path.join(__dirname, 'results');

export interface BenchResult {
  id: string;
  metric: string;
  better: 'lower' | 'higher';
  ours: number;
  peer: number;
  peer_name: string;
  ratio: number;
  goal: number;
  runs: number;
  date: string;
  notes: string;
}

export function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Writes bench/results/<id>.json; fields beyond the common ones are kept as extra detail. */
export function writeResult(r: Omit<BenchResult, 'ratio' | 'date'> & Record<string, unknown>): BenchResult {
  const full = { ...r, ratio: round(r.ours / r.peer, 3), date: new Date().toISOString().slice(0, 10) };
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(path.join(resultsDir, `${r.id}.json`), JSON.stringify(full, null, 2) + '\n');
  return full;
}

export function meetsGoal(r: BenchResult): boolean {
  return r.better === 'lower' ? r.ratio <= r.goal : r.ratio >= r.goal;
}

/** Rewrites bench/results/README.md as a table of every result file. */
export function writeIndex(): void {
  const rows = readdirSync(resultsDir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(path.join(resultsDir, f), 'utf8')) as BenchResult);
  const lines = [
    '# Benchmark results',
    '',
    'Written by `npm run bench`; each figure is measured side by side with its peer in the same run.',
    '`ratio` is ours / peer; `goal` is the ratio to reach (`better` says in which direction).',
    '',
    '| id | metric | ours | peer | peer name | ratio | goal | met | runs | date | notes |',
    '| --- | --- | ---: | ---: | --- | ---: | ---: | :---: | ---: | --- | --- |',
    ...rows.map(
      (r) =>
        `| ${r.id} | ${r.metric} | ${r.ours} | ${r.peer} | ${r.peer_name} | ${r.ratio} | ${r.better === 'lower' ? '≤' : '≥'} ${r.goal} | ${meetsGoal(r) ? '✅' : '❌'} | ${r.runs} | ${r.date} | ${r.notes} |`,
    ),
    '',
  ];
  writeFileSync(path.join(resultsDir, 'README.md'), lines.join('\n'));
}
