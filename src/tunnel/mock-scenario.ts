/**
 * The mock upstream's tool table from a scenario: each tool's service time and result size are
 * drawn from the scenario's own distributions (inverse-CDF samplers fed a wall-clock-mode uniform),
 * so `tunnelsim connect --mock scenario.yaml` serves what the simulator models.
 */
import type { Scenario } from '../scenario/types.js';
import type { MockToolTable } from './mock-server.js';

export function mockToolsFromScenario(s: Pick<Scenario, 'tools'>, random: () => number = Math.random): MockToolTable {
  const table: MockToolTable = {};
  for (const t of s.tools) {
    table[t.name] = {
      serviceMs: () => t.service.sample(random()),
      resultTokens: () => t.resultTokens.sample(random()),
      idempotent: t.idempotent,
      // Only a tool the scenario marks `readOnly` claims `readOnlyHint`: idempotent is not read-only
      // (a PUT is idempotent), and a read-only token must never reach a write.
      readOnly: t.readOnly,
    };
  }
  return table;
}
