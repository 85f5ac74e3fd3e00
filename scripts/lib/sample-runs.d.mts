export function toolsPython(): string | undefined;
export function ensureSampleRuns(workspace: string, python?: string): boolean;
export function ensureSampleDvc(workspace: string, python?: string): boolean;
