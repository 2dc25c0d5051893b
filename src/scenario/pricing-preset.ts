/**
 * Pricing presets: one YAML file per model in `scenarios/pricing/`, each with the page its
 * figures were read from and the date. A scenario names one (`preset: claude-sonnet-4-5`) or
 * points at its own file (`preset: ./my-prices.yaml`, relative to the scenario).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { TunnelsimError } from '../errors.js';
import { formatPath } from './field-path.js';
import { pricingPresetSchema, type PricingPresetFile } from './llm-schema.js';

/** The bundled presets; `scenarios/` ships in the package, two levels above src/ and dist/. */
export const PRESET_DIR = fileURLToPath(new URL('../../scenarios/pricing/', import.meta.url));

export function presetNames(): string[] {
  try {
    return readdirSync(PRESET_DIR)
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => f.slice(0, -5))
      .sort();
  } catch {
    return [];
  }
}

/** Reads and validates a preset. `ref` is a bundled name or a path; `scenarioFile` anchors paths. */
export function loadPricingPreset(ref: string, scenarioFile: string, field: string): PricingPresetFile {
  const isPath = /[/\\]/.test(ref) || /\.ya?ml$/.test(ref);
  const base = scenarioFile.startsWith('<') ? process.cwd() : dirname(resolve(scenarioFile));
  const path = isPath ? resolve(base, ref) : `${PRESET_DIR}${ref}.yaml`;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    const why = isPath ? `cannot read pricing preset file '${ref}'` : `unknown pricing preset '${ref}' (known: ${presetNames().join(', ')})`;
    throw new TunnelsimError('INVALID_SCENARIO', why, { file: scenarioFile, field });
  }
  const shown = isPath ? ref : `scenarios/pricing/${ref}.yaml`;
  let data: unknown;
  try {
    data = parse(text);
  } catch (err) {
    throw new TunnelsimError('INVALID_SCENARIO', `not valid YAML: ${(err as Error).message.split('\n')[0]}`, { file: shown });
  }
  const parsed = pricingPresetSchema.safeParse(data);
  if (!parsed.success) {
    // A misspelt key also leaves its field missing: name the typo, which explains both.
    const issues = parsed.error.issues;
    const issue = issues.find((i) => i.code === 'unrecognized_keys') ?? issues[0];
    const keys = issue.code === 'unrecognized_keys' ? (issue as { keys: string[] }).keys : [];
    const message = keys.length > 0 ? 'unknown key' : /received undefined/.test(issue.message) ? 'required' : issue.message;
    throw new TunnelsimError('INVALID_SCENARIO', message, { file: shown, field: formatPath([...issue.path, ...keys.slice(0, 1)]) || undefined });
  }
  return parsed.data;
}
