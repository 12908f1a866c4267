#!/usr/bin/env node
// The installed `chitchat` command runs the compiled CLI (built by `npm install` / `npm start`).
import { existsSync } from 'node:fs';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('chitchat: not built yet: run `npm run build:server` in the package folder\n');
  process.exit(1);
}
await import(main.href);
