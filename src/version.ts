/** The package version, recorded in metric signatures (`version:0.1.0`). Keep in step with package.json. */
export const VERSION = '0.1.0';
