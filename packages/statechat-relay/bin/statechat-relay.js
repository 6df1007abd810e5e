#!/usr/bin/env node
// The `statechat-relay` command (`--flows <dir> --tools <module>`): compiled from relay/cli/ into lib/ by `npm run build`.
import { runRelayCommand } from '../lib/cli/relay-command.js';

process.exitCode = await runRelayCommand(process.argv.slice(2));
