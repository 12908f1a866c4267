// The markdown table in bench/results/latest.md (and on the console).
import type { LatencySummary } from './histogram.js';
import type { LoadResult } from './types.js';

export interface RunRecord {
  result?: LoadResult;
  /** ChitChat's /metrics at the end of the run (store batches and commit times). */
  serverStats?: Record<string, number> | null;
  kind: string;
  scenario: string;
  /** Machine CPU just before the run (other people's processes share the cores). */
  quietBefore?: { busyPercent: number; waitedS: number };
  error?: string;
}

const ms = (x: number | null) => (x === null ? '–' : x < 10 ? x.toFixed(2) : x < 100 ? x.toFixed(1) : x.toFixed(0));
const lat = (l: LatencySummary) => `${ms(l.p50)} / ${ms(l.p95)} / ${ms(l.p99)} / ${ms(l.max)}`;
const num = (x: number) => x.toLocaleString('en-US');
const cpu = (x: number | null) => (x === null ? '–' : `${Math.round(x)} %`);

export function table(records: RunRecord[]): string {
  const head = [
    'scenario',
    'server',
    'sent msg/s',
    'deliveries/s',
    'delivery p50 / p95 / p99 / max (ms)',
    'ack p50 / p99 (ms)',
    'lost / dup / seq',
    'server CPU',
    'server µs/delivery',
    'server RSS (peak) MiB',
    'loadgen CPU',
    'other CPU',
  ];
  const rows = records.map((r) => {
    if (!r.result) return [r.scenario, r.kind, `failed: ${(r.error ?? '').split('\n')[0]}`, ...head.slice(3).map(() => '')];
    const x = r.result;
    const c = x.checks;
    const closes = Object.entries(c.closes)
      .map(([code, k]) => `${k}×${code}`)
      .join(' ');
    return [
      r.scenario,
      r.kind,
      num(x.sentPerSecond),
      num(x.deliveriesPerSecond),
      lat(x.latency),
      `${ms(x.ackLatency.p50)} / ${ms(x.ackLatency.p99)}`,
      `${num(c.lost)}${c.drainTimedOut ? '†' : ''} / ${num(c.duplicates)} / ${num(c.seqViolations)}${closes ? ` (closed ${closes})` : ''}`,
      cpu(x.resources.serverCpuPercent),
      x.resources.serverCpuPercent === null || x.deliveriesPerSecond === 0
        ? '–'
        : ((x.resources.serverCpuPercent * 1e4) / x.deliveriesPerSecond).toFixed(1),
      `${x.resources.serverRssMiB ?? '–'} (${x.resources.serverRssPeakMiB ?? '–'})`,
      cpu(x.resources.loadCpuPercent),
      cpu(x.resources.otherCpuPercent),
    ];
  });
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}
