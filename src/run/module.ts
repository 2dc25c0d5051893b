/**
 * Loads a scenario's workflow module (`workflow.module`): a .js/.mjs file natively, a .ts file
 * through tsx. Resolved relative to the scenario file. The module exports the generator as its
 * default export or as `workflow`.
 */
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { TunnelsimError } from '../errors.js';
import type { UserWorkflow } from '../agent/script.js';
import type { Scenario } from '../scenario/types.js';

export async function loadWorkflowModule(sc: Scenario): Promise<UserWorkflow | undefined> {
  if (sc.workflow.kind !== 'module') return undefined;
  const path = resolve(dirname(sc.file), sc.workflow.file);
  let mod: Record<string, unknown>;
  try {
    if (path.endsWith('.ts')) {
      const { tsImport } = await import('tsx/esm/api');
      mod = await tsImport(pathToFileURL(path).href, import.meta.url);
    } else {
      mod = await import(pathToFileURL(path).href);
    }
  } catch (err) {
    throw new TunnelsimError('INVALID_SCENARIO', `cannot load workflow module '${sc.workflow.file}': ${(err as Error).message.split('\n')[0]}`, {
      file: sc.file,
      field: 'workflow.module',
    });
  }
  const fn = (mod.default ?? mod.workflow) as UserWorkflow | undefined;
  if (typeof fn !== 'function') {
    throw new TunnelsimError('INVALID_SCENARIO', `module '${sc.workflow.file}' exports no generator function (default or \`workflow\`)`, {
      file: sc.file,
      field: 'workflow.module',
    });
  }
  return fn;
}
