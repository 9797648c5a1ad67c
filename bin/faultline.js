#!/usr/bin/env node
// The faultline command: load the compiled CLI and run it with this process's arguments.
import { main } from '../dist/src/cli/main.js';

process.exitCode = await main(process.argv);
