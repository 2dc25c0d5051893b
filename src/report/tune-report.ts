/** The tune report (`schema: "tunnelsim.tune/v1"`) that `tunnelsim tune` writes and its view renders. */
export const TUNE_SCHEMA = 'tunnelsim.tune/v1';

export interface Candidate {
  name: string;
  settings: Record<string, string>;
  objective: number | null;
  meetsSlo: boolean;
  successRate: number | null;
  /** How far outside the SLO (sum over failed clauses of |value − limit| / |limit|); 0 when it meets it. */
  violation: number;
  /** Over every started workflow, a failed one at +∞: null when more than 5 % failed. */
  workflowP95: number | null;
  costPerCompletedWorkflow: number | null;
  amplification: number | null;
}

export interface TuneReport {
  schema: typeof TUNE_SCHEMA;
  tool: { name: 'tunnelsim'; version: string };
  scenario: { name: string; file: string };
  objective: string;
  maximize: boolean;
  slo: string[];
  best: Candidate | null;
  /** The winning policy as a scenario `policies:` entry, ready to paste. */
  policyYaml: string | null;
  /** The winner beside the seed guidance and every preset, measured in one run. */
  comparison: Candidate[];
  evaluated: number;
  rounds: number;
}
