#!/usr/bin/env node
// Entry point for `npx tunnelsim`: runs the compiled CLI (built by `npm ci` through the prepare script).
import { main } from '../dist/cli/main.js';
import { hideBin } from 'yargs/helpers';

process.exitCode = await main(hideBin(process.argv));
