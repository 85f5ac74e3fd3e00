// One run model for MLflow runs and DVC experiments, so the tree, the table and the
// compare view treat both alike. Pure: no editor API, no I/O.
import { own } from '../../common/objects';

export type RunStatus = 'RUNNING' | 'SCHEDULED' | 'FINISHED' | 'FAILED' | 'KILLED' | 'QUEUED' | 'UNKNOWN';

export interface Run {
  /** MLflow run id, or a DVC experiment's name/sha. */
  readonly id: string;
  readonly name: string;
  readonly experimentId: string;
  readonly status: RunStatus;
  /** Milliseconds since the epoch. */
  readonly startTime?: number;
  readonly endTime?: number;
  readonly params: Readonly<Record<string, string>>;
  /** The latest value of each metric. */
  readonly metrics: Readonly<Record<string, number>>;
  readonly tags: Readonly<Record<string, string>>;
  readonly parentId?: string;
  readonly gitCommit?: string;
  readonly artifactUri?: string;
}

export interface Experiment {
  readonly id: string;
  readonly name: string;
  readonly lifecycleStage: string;
  readonly artifactLocation?: string;
  readonly lastUpdateTime?: number;
  readonly tags: Readonly<Record<string, string>>;
}

export interface MetricPoint {
  readonly step: number;
  readonly value: number;
  readonly timestamp: number;
}

export interface ArtifactEntry {
  readonly path: string;
  readonly isDir: boolean;
  readonly size?: number;
}

const STATUSES: readonly RunStatus[] = ['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED', 'QUEUED'];

export function runStatus(s: unknown): RunStatus {
  return STATUSES.includes(s as RunStatus) ? (s as RunStatus) : 'UNKNOWN';
}

/** A run's headline metric: the configured key when it has it, else its first metric in name order. */
export function keyMetric(run: Run, preferred?: string): { key: string; value: number } | undefined {
  const wanted = preferred ? own(run.metrics, preferred) : undefined;
  if (preferred && wanted !== undefined) return { key: preferred, value: wanted };
  const key = Object.keys(run.metrics).sort()[0];
  return key === undefined ? undefined : { key, value: run.metrics[key] };
}

/** "3 min ago", "2 h ago", "5 d ago" from two epoch-millisecond times. */
export function age(from: number, now: number): string {
  const s = Math.max(0, Math.round((now - from) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86_400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86_400)} d ago`;
}
