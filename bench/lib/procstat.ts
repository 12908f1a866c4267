// CPU and memory of a process (and of the whole machine) from /proc, sampled while a run is
// going: no agent inside the measured server, so all three servers are measured the same way.
import { readFileSync } from 'node:fs';

/** Clock ticks per second for /proc/<pid>/stat times (USER_HZ; 100 on Linux x86 and arm). */
const TICKS_PER_SECOND = 100;

export interface ProcSample {
  /** performance.now() when read, ms. */
  at: number;
  /** user + system CPU time of the process, all threads, in ms. */
  cpuMs: number;
  /** Resident set size now, bytes. */
  rss: number;
  /** Peak resident set size since the process started (VmHWM), bytes. */
  rssPeak: number;
}

export function readProc(pid: number): ProcSample | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces; fields after it are space-separated.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of the file, i.e. 11 and 12 after the name.
    const ticks = Number(fields[11]) + Number(fields[12]);
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
    return { at: performance.now(), cpuMs: (ticks * 1000) / TICKS_PER_SECOND, rss: kb('VmRSS'), rssPeak: kb('VmHWM') };
  } catch {
    return null; // the process is gone
  }
}

export interface MachineSample {
  at: number;
  /** Non-idle CPU time summed over all cores, ms. */
  busyMs: number;
}

export function readMachine(): MachineSample {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
  // cpu  user nice system idle iowait irq softirq steal guest guest_nice
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
  const idle = (v[3] ?? 0) + (v[4] ?? 0);
  return { at: performance.now(), busyMs: ((total - idle) * 1000) / TICKS_PER_SECOND };
}

/** Follows one process while a run lasts: CPU over a marked window, RSS now and at peak. */
export class ProcWatcher {
  private timer: NodeJS.Timeout | null = null;
  private maxRss = 0;
  private last: ProcSample | null = null;

  constructor(
    private readonly pid: number,
    private readonly everyMs = 250,
  ) {}

  start(): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.everyMs);
    this.timer.unref();
  }

  sample(): ProcSample | null {
    const s = readProc(this.pid);
    if (s) {
      this.last = s;
      if (s.rss > this.maxRss) this.maxRss = s.rss;
    }
    return s;
  }

  stop(): { rss: number | null; rssMaxSampled: number; rssPeak: number | null } {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const s = this.sample();
    return { rss: s?.rss ?? null, rssMaxSampled: this.maxRss, rssPeak: s?.rssPeak ?? this.last?.rssPeak ?? null };
  }
}
