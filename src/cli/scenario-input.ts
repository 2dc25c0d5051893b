/** What commands that rewrite a scenario (capacity, tune) need: the validated scenario, its workflow module, and its raw YAML data. */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { TunnelsimError } from '../errors.js';
import type { UserWorkflow } from '../agent/script.js';
import { loadWorkflowModule } from '../run/module.js';
import { loadScenario } from '../scenario/load.js';
import type { Scenario } from '../scenario/types.js';

export async function scenarioInput(file: string): Promise<{ sc: Scenario; module?: UserWorkflow; data: unknown }> {
  const sc = loadScenario(file);
  const module = await loadWorkflowModule(sc);
  return { sc, module, data: parse(readFileSync(file, 'utf8')) };
}

/** A share flag (0–1), checked. */
export function share(value: number, flag: string): number {
  if (!(value >= 0 && value <= 1)) throw new TunnelsimError('BAD_INPUT', 'must be between 0 and 1', { field: flag });
  return value;
}
