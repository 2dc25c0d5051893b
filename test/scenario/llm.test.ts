/**
 * The `llm:` section: pricing presets (bundled and by file), overrides, batch rates, context
 * strategies and spend caps, and the `file: field.path: message` errors of bad values.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { TunnelsimError } from '../../src/errors.js';
import { presetNames } from '../../src/scenario/pricing-preset.js';
import { baseScenario, scenario } from '../helpers/scenario.js';
import { parseScenario } from '../../src/scenario/load.js';

function errorOf(patch: Record<string, any>): TunnelsimError {
  try {
    scenario(patch);
  } catch (e) {
    return e as TunnelsimError;
  }
  throw new Error('expected the scenario to be refused');
}

/** The test base prices inline; a preset replaces them, so clear them first. */
const usePreset = (fields: Record<string, unknown>) => ({ source: null, inputPerMTok: null, outputPerMTok: null, caching: null, ...fields });

function preset(name: string): any {
  return parse(readFileSync(`scenarios/pricing/${name}.yaml`, 'utf8'));
}

describe('pricing presets', () => {
  it('each bundled preset carries a source and the date it was read', () => {
    expect(presetNames().length).toBeGreaterThanOrEqual(3);
    for (const name of presetNames()) {
      const p = preset(name);
      expect(p.source.length).toBeGreaterThan(20);
      expect(p.read).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      const llm = scenario({ llm: { pricing: usePreset({ preset: name }) } }).llm;
      expect(llm.pricing.inputPerMTok).toBe(p.inputPerMTok);
      expect(llm.pricing.source).toContain(`read ${p.read}`);
      expect(llm.pricing.preset).toBe(name);
    }
  });

  it('takes the preset prices under the scenario overrides', () => {
    const p = preset('claude-sonnet-4-5');
    const llm = scenario({ llm: { pricing: usePreset({ preset: 'claude-sonnet-4-5', cacheTtl: '1h', cacheWriteMultiplier: 2 }) } }).llm;
    expect(llm.pricing).toMatchObject({ inputPerMTok: p.inputPerMTok, outputPerMTok: p.outputPerMTok, cacheTtl: 3_600_000, cacheWriteMultiplier: 2, caching: 'explicit' });
  });

  it('bills batch rates by folding the batch multiplier into every price, tiers included', () => {
    const p = preset('gemini-2-5-pro');
    const llm = scenario({ llm: { pricing: usePreset({ preset: 'gemini-2-5-pro', batch: true }) } }).llm;
    expect(llm.pricing.batch).toBe(true);
    expect(llm.pricing.inputPerMTok).toBeCloseTo(p.inputPerMTok * p.batchMultiplier, 12);
    expect(llm.pricing.outputPerMTok).toBeCloseTo(p.outputPerMTok * p.batchMultiplier, 12);
    expect(llm.pricing.tiers![0].inputPerMTok).toBeCloseTo(p.tiers[0].inputPerMTok * p.batchMultiplier, 12);
  });

  it('reads a preset file relative to the scenario', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tunnelsim-pricing-'));
    writeFileSync(
      join(dir, 'mine.yaml'),
      'name: mine\nread: 2026-01-02\nsource: our contract\ncaching: none\ninputPerMTok: 1\noutputPerMTok: 2\ncacheReadMultiplier: 0\ncacheWriteMultiplier: 1\ncacheTtl: 5m\n',
    );
    const data = baseScenario();
    data.llm.pricing = { preset: './mine.yaml' };
    const sc = parseScenario(data, join(dir, 'scenario.yaml'));
    expect(sc.llm.pricing).toMatchObject({ inputPerMTok: 1, outputPerMTok: 2, caching: 'none', source: 'our contract (read 2026-01-02)' });
  });

  it('names the preset file and the field of a bad preset', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tunnelsim-pricing-'));
    writeFileSync(join(dir, 'typo.yaml'), 'name: t\nread: 2026-01-02\nsource: s\ncaching: none\ninputPerMtok: 1\n');
    writeFileSync(join(dir, 'undated.yaml'), 'name: t\nread: last week\nsource: s\n');
    const data = baseScenario();
    const attempt = (preset: string) => {
      data.llm.pricing = { preset };
      try {
        parseScenario(data, join(dir, 'scenario.yaml'));
      } catch (e) {
        return e as TunnelsimError;
      }
      throw new Error('expected the preset to be refused');
    };
    const typo = attempt('./typo.yaml');
    expect([typo.file, typo.field, typo.message]).toEqual(['./typo.yaml', 'inputPerMtok', 'unknown key']);
    const undated = attempt('./undated.yaml');
    expect([undated.file, undated.field]).toEqual(['./undated.yaml', 'read']);
    expect(attempt('./missing.yaml').field).toBe('llm.pricing.preset');
  });

  it('names the field and the known presets for an unknown preset', () => {
    const e = errorOf({ llm: { pricing: usePreset({ preset: 'gpt-99' }) } });
    expect(e.field).toBe('llm.pricing.preset');
    expect(e.message).toMatch(/unknown pricing preset 'gpt-99' \(known: .*claude-sonnet-4-5/);
  });

  it('refuses batch rates the prices do not have', () => {
    const e = errorOf({ llm: { pricing: { source: 's', inputPerMTok: 1, outputPerMTok: 1, batch: true } } });
    expect([e.field, e.message]).toEqual(['llm.pricing.batch', 'these prices have no `batchMultiplier`: give one']);
  });

  it('asks for a source when prices are inline', () => {
    const e = errorOf({ llm: { pricing: { source: null, inputPerMTok: 1, outputPerMTok: 1 } } });
    expect(e.field).toBe('llm.pricing.source');
  });

  it('refuses tiers that do not ascend', () => {
    const tiers = [
      { above: 300, inputPerMTok: 2, outputPerMTok: 2 },
      { above: 200, inputPerMTok: 3, outputPerMTok: 3 },
    ];
    expect(errorOf({ llm: { pricing: { tiers } } }).field).toBe('llm.pricing.tiers[1].above');
  });
});

describe('llm.contextStrategy', () => {
  it('defaults to fail, and `at` to 80 % of the window', () => {
    expect(scenario().llm.contextStrategy).toEqual({ kind: 'fail' });
    const s = scenario({ llm: { contextWindow: 10_000, contextStrategy: { kind: 'drop-oldest' } } }).llm.contextStrategy;
    expect(s).toEqual({ kind: 'drop-oldest', at: 8000, to: 0, keep: 3, placeholderTokens: 0 });
  });

  it('refuses a summary that would not bring the context below `at`', () => {
    const e = errorOf({ llm: { systemTokens: 1000, contextWindow: 4000, contextStrategy: { kind: 'summarize', at: 3000, summaryTokens: 2000 } } });
    expect(e.field).toBe('llm.contextStrategy.summaryTokens');
  });

  it('refuses `at` beyond the window and unknown keys', () => {
    expect(errorOf({ llm: { contextWindow: 1000, contextStrategy: { kind: 'drop-oldest', at: 2000 } } }).field).toBe('llm.contextStrategy.at');
    expect(errorOf({ llm: { contextStrategy: { kind: 'drop-oldest', keepLast: 2 } } }).field).toBe('llm.contextStrategy.keepLast');
  });
});

describe('llm.spendCap', () => {
  it('holds dollars as integer nano-dollars', () => {
    expect(scenario({ llm: { spendCap: { dollars: 0.25, tokens: 1000 } } }).llm.spendCap).toEqual({ tokens: 1000, nanos: 250_000_000 });
  });

  it('needs tokens or dollars', () => {
    expect(errorOf({ llm: { spendCap: {} } }).field).toBe('llm.spendCap');
  });
});
