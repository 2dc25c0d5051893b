/** Every CLI command, in the order `--help` lists them. Add a command by importing it here. */
import type { Command } from './types.js';
import { compareCommand } from './compare.js';
import { benchCommand } from './bench.js';
import { runCommand } from './run.js';
import { validateCommand } from './validate.js';
import { mergeCommand } from './merge.js';
import { relayCommand } from './relay.js';
import { connectCommand } from './connect.js';
import { tokenCommand } from './token.js';
import { sweepCommand } from './sweep.js';
import { capacityCommand } from './capacity.js';
import { tuneCommand } from './tune.js';
import { liveCommand } from './live.js';
import { calibrateCommand } from './calibrate.js';
import { probeCommand } from './probe.js';
import { importCommand } from './import.js';

export const commands: Command[] = [runCommand, validateCommand, sweepCommand, capacityCommand, tuneCommand, liveCommand, calibrateCommand, probeCommand, importCommand, mergeCommand, compareCommand, benchCommand, relayCommand, connectCommand, tokenCommand];
