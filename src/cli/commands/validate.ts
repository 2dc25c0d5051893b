import { loadScenario } from '../../scenario/load.js';
import { loadWorkflowModule } from '../../run/module.js';
import type { Command } from './types.js';

export const validateCommand: Command = {
  command: 'validate <scenario>',
  describe: 'check a scenario file and print what it describes',
  builder: (y) => y.positional('scenario', { type: 'string', describe: 'scenario YAML file', demandOption: true }),
  handler: async (args) => {
    const sc = loadScenario(args.scenario);
    await loadWorkflowModule(sc);
    const wl = sc.workload;
    const load = wl.model === 'closed' ? `${wl.agents} agents (closed)` : `${wl.rate.rateAt(0)}/s ${wl.arrival} arrivals at the start (open)`;
    const stop = [wl.workflows !== undefined ? `${wl.workflows} workflows` : '', wl.duration !== undefined ? `${wl.duration / 1000}s` : ''].filter(Boolean).join(' or ');
    process.stdout.write(
      `ok: ${args.scenario}: '${sc.name}', ${load}, stop after ${stop}; ${sc.tools.length} tools, ${sc.faults.length} faults, ` +
        `policies: ${sc.policies.map((p) => p.name).join(', ')}\n`,
    );
    return 0;
  },
};
