/** The benchmark suites by name, in run order, without loading them (the CLI lists them in --help). test/bench keeps it equal to suites.ts. */
export const SUITE_NAMES = ['hdr', 'sim', 'anchors', 'sweep', 'relay', 'delays', 'calibration'] as const;
