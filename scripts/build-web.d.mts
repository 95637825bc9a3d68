/** Writes the lab page into `outDir` (default dist/lab-web); resolves to the folder. */
export function buildWeb(outDir?: string): Promise<string>;
