#!/usr/bin/env node
/** The `statechat` command, as the package's compiled bin runs it. */
import { main } from './main.ts';

process.exitCode = await main(process.argv.slice(2));
