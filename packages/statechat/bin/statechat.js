#!/usr/bin/env node
// The `statechat` command: flows/cli/bin.ts, compiled into lib/ by `npm run build`.
import '../lib/flows/cli/bin.js';
