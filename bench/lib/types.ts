// What run.ts asks of the load generator and what it gets back (both cross a process boundary
// as JSON, so plain data only).
import type { LatencySummary } from './histogram.js';
import type { ServerKind } from './wire.js';

export interface Scenario {
  name: string;
  /** Sockets in the one room. */
  clients: number;
  /** How many of them send; the rate is split evenly among them. */
  senders: number;
  /** Messages per second offered by all senders together. */
  rate: number;
  /**
   * (ChitChat only) Share of all client events that are reactions and reads (SPEC §7), in turns:
   * 0.1 = one `react` or `read` after every 9 sends, from the same sender. Their broadcasts
   * count as deliveries.
   */
  conversations?: number;
}

export interface LoadConfig {
  kind: ServerKind;
  scenario: Scenario;
  /** ws://127.0.0.1:<port> */
  baseWsUrl: string;
  /** The room's reference: ChitChat's room id, any string for the peers. */
  room: string;
  /** Server process to watch in /proc. */
  serverPid: number;
  /** Sending before the measured window starts, seconds. */
  warmupS: number;
  /** The measured window, seconds. */
  durationS: number;
  /** After sending stops, how long to wait for stragglers before counting losses, seconds. */
  drainS: number;
  /** Characters of each message's `msg` (timestamp and index included). */
  msgChars: number;
}

export interface LoadResult {
  kind: ServerKind;
  scenario: Scenario;
  warmupS: number;
  durationS: number;
  msgChars: number;
  /** Messages sent in the measured window, per second. */
  sentPerSecond: number;
  /** Broadcast frames received by all clients (sender's own copy included) in the window, per second. */
  deliveriesPerSecond: number;
  /** Of those, `reaction` and `read` broadcasts (scenarios with `conversations`). */
  conversationDeliveriesPerSecond?: number;
  /** `react` and `read` events sent over the whole run. */
  conversationEventsSent?: number;
  /** Send (timestamp in the message) → receipt at every client other than the sender, ms. */
  latency: LatencySummary;
  /** Send → ack at the sender, ms. */
  ackLatency: LatencySummary;
  /** How late the open-loop scheduler sent relative to its plan, ms (load generator health). */
  sendLag: LatencySummary;
  /** Over the whole run (warm-up included), every client against every message sent. */
  checks: {
    messagesSent: number;
    /** Sends skipped because the sender's socket had closed. */
    sendsSkipped: number;
    expectedDeliveries: number;
    lost: number;
    duplicates: number;
    /** seq not exactly one above the previous seq a client saw (out of order or a gap). */
    seqViolations: number;
    acksMissing: number;
    ackDuplicates: number;
    /** `error` events from the server. */
    serverErrors: number;
    /** Sockets the server closed during the run, by close code. */
    closes: Record<string, number>;
    /** ms from the last send until every client had every message (or the drain timed out). */
    drainMs: number;
    drainTimedOut: boolean;
  };
  /** Over the measured window. CPU in % of one core (200 % = both cores of this machine). */
  resources: {
    serverCpuPercent: number | null;
    serverRssMiB: number | null;
    serverRssPeakMiB: number | null;
    loadCpuPercent: number;
    loadEventLoopDelayP99Ms: number;
    machineCpuPercent: number;
    /** Machine CPU not spent by the server or the load generator (other processes, kernel). */
    otherCpuPercent: number | null;
  };
}
