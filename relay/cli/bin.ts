#!/usr/bin/env node
/** The `statechat-relay` command (`statechat-relay --flows <dir> --tools <module>`), as the package's compiled bin runs it. */
import { runRelayCommand } from './relay-command.ts';

process.exitCode = await runRelayCommand(process.argv.slice(2));
