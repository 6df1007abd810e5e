#!/usr/bin/env node
// The `statechat` command (validate, test, relay): the CLI compiled from flows/cli/ into lib/ by `npm run build`.
import { main } from '../lib/flows/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
