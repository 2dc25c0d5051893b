/** The scenario's `report:` verdict settings, with the objective checked as a report figure. */
import { TunnelsimError } from '../errors.js';
import { parseThreshold } from '../report/threshold-grammar.js';
import type { ScenarioFile } from './schema.js';
import type { Scenario } from './types.js';

export function resolveVerdict(r: ScenarioFile['report'], file: string): Scenario['verdict'] {
  try {
    const parsed = parseThreshold(`${r.objective} >= 0`, 'report.objective');
    if (parsed.policy !== undefined) throw new TunnelsimError('BAD_INPUT', `'${r.objective}': the objective applies to every policy; drop the policy tag`);
  } catch (e) {
    if (!(e instanceof TunnelsimError)) throw e;
    throw new TunnelsimError('INVALID_SCENARIO', e.message.replace(/ >= 0'/, "'"), { file, field: 'report.objective' });
  }
  return { objective: r.objective, maximize: r.maximize, completionFloor: r.completionFloor };
}
