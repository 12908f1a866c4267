// `chitchat backup FILE`: a consistent copy of the SQLite database, taken with SQLite's online
// backup while the server keeps running. Written to a temporary file, checked, then renamed into
// place: a failed or interrupted backup never leaves a half-written FILE.
import Database from 'better-sqlite3';
import { Command, Option } from 'commander';
import { existsSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { action, CliError, out } from './common.js';

export function backupCommand(): Command {
  return new Command('backup')
    .description("copy the SQLite database (the server may keep running); restore by putting the file back as <data dir>/chitchat.db")
    .argument('<file>', 'where to write the copy')
    .addOption(new Option('--data-dir <dir>', "the server's data dir").env('CHITCHAT_DATA_DIR').default('data'))
    .option('-f, --force', 'replace FILE if it exists')
    .action(
      action(async (file: string, opts: { dataDir: string; force?: boolean }) => {
        const source = join(resolve(opts.dataDir), 'chitchat.db');
        const target = resolve(file);
        if (!existsSync(source)) throw new CliError(`no database at ${source} (set --data-dir to the server's data dir)`);
        if (existsSync(target) && !opts.force) throw new CliError(`${target} exists; use --force to replace it`);
        if (!existsSync(dirname(target))) throw new CliError(`the folder ${dirname(target)} does not exist`);
        const partial = `${target}.partial-${process.pid}`;
        const db = new Database(source, { fileMustExist: true });
        try {
          db.pragma('busy_timeout = 5000');
          // All pages in one step: the copy is one snapshot, never restarted by the server's writes.
          await db.backup(partial, { progress: ({ totalPages }) => Math.max(totalPages, 100) });
          const copy = new Database(partial, { readonly: true });
          try {
            const check = copy.pragma('integrity_check', { simple: true });
            if (check !== 'ok') throw new CliError(`the copy failed its integrity check: ${String(check)}`);
            const counts = ['rooms', 'messages'].map((t) => `${(copy.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n} ${t}`);
            renameSync(partial, target);
            await out(`backed up ${source} to ${target} (${counts.join(', ')})`);
          } finally {
            copy.close();
          }
        } catch (err) {
          rmSync(partial, { force: true });
          throw err;
        } finally {
          db.close();
        }
      }),
    );
}
