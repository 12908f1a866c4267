#!/usr/bin/env node
// The `chitchat` command: one file per subcommand in this folder.
import { Command, CommanderError } from 'commander';
import { backupCommand } from './backup.js';
import { exportCommand } from './export.js';
import { migrateCommand } from './migrate.js';
import { roomsCommand } from './rooms.js';
import { sendCommand } from './send.js';
import { serveCommand } from './serve.js';
import { tailCommand } from './tail.js';

const program = new Command('chitchat')
  .description('ChitChat: a self-hosted group chat server, and a client for it')
  .version('2.0.0')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

for (const cmd of [serveCommand(), roomsCommand(), sendCommand(), tailCommand(), exportCommand(), backupCommand(), migrateCommand()]) {
  program.addCommand(cmd);
}
for (const cmd of program.commands) {
  cmd.exitOverride();
  for (const sub of cmd.commands) sub.exitOverride();
}

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // --help and --version exit 0; usage errors (unknown command or flag, missing argument) exit 2.
    process.exitCode = err.exitCode === 0 ? 0 : 2;
  } else {
    process.stderr.write(`chitchat: ${(err as Error).message}\n`);
    process.exitCode = 1;
  }
}
