// `chitchat serve`: a server node. Every setting of the configuration table is a flag of the
// same name (src/config.ts KEYS), so the flags can never drift from the environment variables.
import { Command, Option } from 'commander';
import { KEYS } from '../config.js';
import { run } from '../run.js';

export function serveCommand(): Command {
  const cmd = new Command('serve').description('run a ChitChat server node (flags beat the environment, which beats config.json)');
  cmd.addOption(new Option('--config <file>', 'a config.json with the same keys (default ./config.json when present)'));
  for (const [env, flag] of Object.entries(KEYS)) cmd.addOption(new Option(`--${flag} <value>`, `same as ${env}`));
  cmd.action(async (opts: Record<string, string | undefined>) => {
    const argv: string[] = [];
    for (const flag of [...Object.values(KEYS), 'config']) {
      const value = opts[camel(flag)];
      if (value !== undefined) argv.push(`--${flag}`, value);
    }
    await run(process.env, argv);
  });
  return cmd;
}

const camel = (flag: string) => flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
