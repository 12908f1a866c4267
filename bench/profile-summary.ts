// Reads a V8 .cpuprofile (from `npm run bench -- --profile`, or any `node --cpu-prof`) and prints
// where the time went: self time by function and by area, and inclusive time of ChitChat's own
// functions (src/, or bench/dist/chitchat/ for the compiled build).
//
//   tsx bench/profile-summary.ts bench/dist/profiles/<stamp>/chitchat-200x500.cpuprofile [--top 30]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '25' } } });
const file = positionals[0];
if (!file) throw new Error('usage: profile-summary.ts <file.cpuprofile> [--top N]');
const top = Number(values.top);
const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;

const byId = new Map<number, ProfileNode>();
const parent = new Map<number, number>();
for (const n of profile.nodes) {
  byId.set(n.id, n);
  for (const c of n.children ?? []) parent.set(c, n.id);
}

/** A short, stable label for where a function lives. */
function where(cf: CallFrame): string {
  const url = cf.url.replace(/^file:\/\//, '');
  const own = /(?:\/src\/|\/bench\/dist\/chitchat\/)(.*)$/.exec(url);
  if (own) return `src/${own[1]!.replace(/\.js$/, '.ts')}`;
  const mod = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(.*)$/.exec(url);
  if (mod) return `${mod[1]}/${mod[2]}`;
  if (url.startsWith('node:')) return url;
  return url || '(native)';
}

function area(cf: CallFrame): string {
  const w = where(cf);
  if (w.startsWith('src/')) return w;
  if (cf.url.includes('node_modules/')) return w.split('/').slice(0, w.startsWith('@') ? 2 : 1).join('/');
  if (w.startsWith('node:')) return w.split('/').slice(0, 2).join('/');
  if (cf.functionName === '(garbage collector)') return '(gc)';
  if (cf.functionName === '(idle)') return '(idle)';
  if (cf.functionName === '(program)') return '(program)';
  return '(native / V8 builtins)';
}

// Line numbers of the compiled build are not those of src/*.ts, so ChitChat's own functions go by name.
const label = (cf: CallFrame) => {
  const w = where(cf);
  return `${cf.functionName || '(anonymous)'}  ${w}${w.startsWith('src/') ? '' : `:${cf.lineNumber + 1}`}`;
};

const self = new Map<string, number>();
const areas = new Map<string, number>();
const inclusive = new Map<string, number>();
let total = 0;
let idle = 0;
for (let i = 0; i < profile.samples.length; i++) {
  const dt = profile.timeDeltas[i] ?? 0;
  const node = byId.get(profile.samples[i]!);
  if (!node) continue;
  total += dt;
  if (node.callFrame.functionName === '(idle)') {
    idle += dt;
    continue;
  }
  self.set(label(node.callFrame), (self.get(label(node.callFrame)) ?? 0) + dt);
  areas.set(area(node.callFrame), (areas.get(area(node.callFrame)) ?? 0) + dt);
  // Inclusive time: every distinct ChitChat function on the stack gets the sample once.
  const seen = new Set<string>();
  for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
    const cf = byId.get(id)!.callFrame;
    if (!where(cf).startsWith('src/')) continue;
    const l = label(cf);
    if (seen.has(l)) continue;
    seen.add(l);
    inclusive.set(l, (inclusive.get(l) ?? 0) + dt);
  }
}

const busy = total - idle;
const fmt = (us: number) => `${(us / 1000).toFixed(0).padStart(7)} ms ${((us / busy) * 100).toFixed(1).padStart(5)} %`;
const print = (title: string, m: Map<string, number>) => {
  process.stdout.write(`\n${title}\n`);
  for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) process.stdout.write(`${fmt(v)}  ${k}\n`);
};
process.stdout.write(
  `${file}\nwall ${(total / 1e6).toFixed(2)} s, busy ${(busy / 1e6).toFixed(2)} s (${((busy / total) * 100).toFixed(0)} %); percentages are of busy time\n`,
);
print('self time by area', areas);
print('self time by function', self);
print('inclusive time of ChitChat functions', inclusive);
