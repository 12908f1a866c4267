#!/usr/bin/env node
// Builds the server (dist/) and the web app (web/dist/) only when their sources are newer than
// the last build, so `npm start` starts in about a second instead of compiling every time.
// Run by `prestart` and `prepare` (npm install). `--force` rebuilds both.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const force = process.argv.includes('--force');

/** Newest modification time (ms) of the files under the given paths; 0 when none exist. */
function newest(paths) {
  let t = 0;
  for (const p of paths) {
    const full = join(root, p);
    if (!existsSync(full)) continue;
    const st = statSync(full);
    if (st.isDirectory()) {
      for (const e of readdirSync(full)) if (e !== 'node_modules' && e !== 'dist') t = Math.max(t, newest([join(p, e)]));
    } else t = Math.max(t, st.mtimeMs);
  }
  return t;
}

const targets = [
  {
    name: 'server',
    sources: ['src', 'tsconfig.json', 'package-lock.json'],
    output: 'dist/main.js',
    command: ['tsc', '-p', 'tsconfig.json'],
  },
  {
    name: 'web app',
    sources: ['web/src', 'web/index.html', 'web/public', 'web/vite.config.ts', 'src/protocol', 'src/client', 'package-lock.json'],
    output: 'web/dist/index.html',
    command: ['vite', 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'],
  },
];

for (const t of targets) {
  const out = join(root, t.output);
  const built = existsSync(out) ? statSync(out).mtimeMs : 0;
  if (!force && built > 0 && built >= newest(t.sources)) continue;
  const bin = join(root, 'node_modules', '.bin', t.command[0]);
  if (!existsSync(bin)) {
    // An install without dev dependencies (npm install --omit=dev) cannot build: use what is built.
    if (built > 0) continue;
    process.stderr.write(`chitchat: cannot build the ${t.name}: ${t.command[0]} is not installed (npm install with dev dependencies)\n`);
    process.exitCode = 1;
    continue;
  }
  process.stderr.write(`chitchat: building the ${t.name} (its sources changed)…\n`);
  execFileSync(bin, t.command.slice(1), { cwd: root, stdio: 'inherit' });
}
