export const vsixPath: string;
export function packageVsix(opts?: { quiet?: boolean }): string;
