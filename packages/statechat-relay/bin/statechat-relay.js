#!/usr/bin/env node
// The `statechat-relay` command (`--flows <dir> --tools <module>`): relay/cli/bin.ts, compiled into lib/ by `npm run build`.
import '../lib/cli/bin.js';
