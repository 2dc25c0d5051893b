/** Turns validated scenario data into the runtime `Scenario`: samplers, tool indices, resolved policies. */
import { TunnelsimError } from '../errors.js';
import { sampler, type Sampler } from '../model/distribution.js';
import { RateProfile } from '../model/rate.js';
import type { WorkloadEntry } from './workload-schema.js';
import { probeLatencyFile } from './probe-files.js';
import { resolvePolicy } from './resolve-policy.js';
import { resolveLlm } from './resolve-llm.js';
import { resolveVerdict } from './resolve-verdict.js';
import type { ScenarioFile, ScriptStepEntry } from './schema.js';
import type { CallPlan, LinkSpec, Scenario, ScriptNode, ToolSpec, WorkflowShape, WorkflowSpec } from './types.js';

export function resolveScenario(s: ScenarioFile, file: string): Scenario {
  const tools: ToolSpec[] = Object.entries(s.server.tools).map(([name, t], index) => ({
    name,
    index,
    service: sampler(t.service),
    resultTokens: sampler(t.resultTokens),
    argTokens: t.argTokens,
    idempotent: t.idempotent,
    attemptCorrelation: t.attemptCorrelation,
    readOnly: t.readOnly,
    args: t.args,
  }));
  const toolIndex: Record<string, number> = {};
  for (const t of tools) toolIndex[t.name] = t.index;
  const w = s.workload;
  const probed = tools.map((t) => s.calibration.probe?.files[probeLatencyFile(t.name)]);
  if (s.calibration.probe && probed.every((p) => p === undefined)) {
    const expected = tools.map((t) => probeLatencyFile(t.name)).join(', ');
    throw new TunnelsimError('INVALID_SCENARIO', `probe directory '${s.calibration.probe.dir}' has no file for any of the scenario's tools (expected one of ${expected})`, { file, field: 'calibration.probe' });
  }
  return {
    name: s.name,
    description: s.description,
    file,
    seed: s.seed,
    replications: s.replications,
    workload:
      w.model === 'closed'
        ? { model: 'closed', agents: w.agents!, workflows: w.workflows, duration: w.duration, thinkTime: sampler(w.thinkTime ?? { dist: 'constant', value: 0 }) }
        : { model: 'open', rate: rateOf(w), arrival: w.arrival, bursts: w.bursts, workflows: w.workflows, duration: w.duration ?? stagesLength(w) },
    workflow: resolveWorkflow(s, toolIndex),
    llm: resolveLlm(s.llm, file),
    relay: {
      processing: sampler(s.relay.processing),
      maxInFlightPerTunnel: s.relay.maxInFlightPerTunnel,
      queue: s.relay.queue,
      reconnectBase: s.relay.reconnect.base,
      reconnectMax: s.relay.reconnect.max,
      shedding: s.relay.shedding === 'none' ? undefined : s.relay.shedding,
    },
    network: { agentToRelay: resolveLink(s.network.agentToRelay), relayToServer: resolveLink(s.network.relayToServer) },
    server: { concurrency: s.server.concurrency },
    tools,
    toolIndex,
    faults: s.faults,
    calibration: {
      warmup: s.calibration.warmup,
      faults: s.calibration.faults,
      duration: s.calibration.duration,
      probed,
      probeDir: s.calibration.probe?.dir,
    },
    policies: s.policies.map((p, i) => resolvePolicy(p, `policies[${i}]`, file)),
    thresholds: s.thresholds,
    windowMs: s.report.window,
    limits: s.limits,
    verdict: resolveVerdict(s.report, file),
    source: s,
  };
}

function resolveLink(l: ScenarioFile['network']['agentToRelay']): LinkSpec {
  return {
    latency: sampler(l.latency),
    attemptCorrelation: l.attemptCorrelation,
    maxStreamMs: l.maxStreamDuration ?? Infinity,
    idleTimeoutMs: l.idleTimeout ?? Infinity,
  };
}

/** The open workload's rate profile: constant, k6-style stages ramping from `arrivalRate`, or a CSV profile. */
function rateOf(w: WorkloadEntry): RateProfile {
  if (w.profile) return new RateProfile(w.profile, w.rateScale);
  if (w.stages) {
    const points: [number, number][] = [[0, w.arrivalRate ?? 0]];
    let t = 0;
    for (const st of w.stages) {
      t += st.duration;
      points.push([t, st.target]);
    }
    return new RateProfile(points, w.rateScale);
  }
  return RateProfile.constant(w.arrivalRate!, w.rateScale);
}

function stagesLength(w: WorkloadEntry): number | undefined {
  return w.stages?.reduce((s, st) => s + st.duration, 0);
}

function resolveWorkflow(s: ScenarioFile, idx: Record<string, number>): WorkflowSpec {
  return { ...workflowShape(s, idx), finalTurn: s.workflow.finalTurn };
}

function workflowShape(s: ScenarioFile, idx: Record<string, number>): WorkflowShape {
  const w = s.workflow;
  if (w.module) return { kind: 'module', file: w.module };
  if (w.trace) {
    const sessions = w.trace.map((steps) =>
      steps.map((calls) =>
        calls.map((c): CallPlan => ({
          tool: idx[c.tool],
          argTokens: c.argTokens,
          resultTokens: c.resultTokens === undefined ? undefined : sampler({ dist: 'constant', value: c.resultTokens }),
          serviceMs: c.latencyMs,
          fixedResultTokens: c.resultTokens,
        })),
      ),
    );
    return { kind: 'trace', sessions };
  }
  if (w.script) return { kind: 'script', nodes: w.script.map((n) => resolveNode(n, idx)) };
  if (Array.isArray(w.order)) return { kind: 'list', tools: w.order.map((t) => idx[t]) };
  const tools = w.tools!.map((t) => idx[t]);
  const weights = w.order === 'weighted' ? w.tools!.map((t) => w.weights?.[t] ?? 0) : [];
  return { kind: 'sequence', steps: w.steps!, order: w.order, tools, weights };
}

function resolveNode(n: ScriptStepEntry, idx: Record<string, number>): ScriptNode {
  const call = (c: string | { tool: string; argTokens?: number; resultTokens?: unknown }): CallPlan =>
    typeof c === 'string'
      ? { tool: idx[c] }
      : { tool: idx[c.tool], argTokens: c.argTokens, resultTokens: c.resultTokens ? sampler(c.resultTokens as never) : undefined };
  if ('call' in n) return { kind: 'calls', calls: [call(n.call)] };
  if ('parallel' in n) return { kind: 'calls', calls: n.parallel.map(call) };
  if ('branch' in n) {
    return { kind: 'branch', probability: n.branch.probability, then: n.branch.then.map((x) => resolveNode(x, idx)), else: (n.branch.else ?? []).map((x) => resolveNode(x, idx)) };
  }
  return { kind: 'repeat', times: n.repeat.times, steps: n.repeat.steps.map((x) => resolveNode(x, idx)) };
}


export { resolvePolicy };
export type { Sampler };
