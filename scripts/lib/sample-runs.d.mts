export function toolsPython(): string | undefined;
export function ensureSampleRuns(workspace: string, python?: string): boolean;
