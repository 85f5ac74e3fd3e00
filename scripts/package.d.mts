export const vsixPath: string;
export const vsceArgs: string[];
export function packageVsix(opts?: { quiet?: boolean }): string;
