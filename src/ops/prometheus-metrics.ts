import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { OpsMetrics, WorkerLoadSource } from '../shared/ops-metrics';

/** Live readings taken at scrape time (main.ts attaches them once the parts run). */
export interface MetricSources {
  activeCalls?: () => number;
  /** Jobs waiting, by queue name. */
  queueDepth?: () => Promise<Record<string, number>>;
  workers?: WorkerLoadSource;
}

const MS_BUCKETS = [50, 100, 200, 300, 500, 750, 1000, 1500, 2000, 3000, 5000, 10_000];

/**
 * The process's Prometheus registry (prom-client): the OpsMetrics the domains report, the live
 * readings of `MetricSources`, and prom-client's default Node metrics (event-loop lag, heap, CPU,
 * GC). Its own Registry, never the global one, so tests can build several.
 */
export class PrometheusMetrics implements OpsMetrics {
  readonly registry = new Registry();
  readonly #sources: MetricSources = {};
  readonly #callsEnded: Counter<'direction' | 'status' | 'end_reason'>;
  readonly #setup: Histogram<'direction'>;
  readonly #voiceToVoice: Histogram;
  readonly #jitter: Histogram;
  readonly #rtpReceived: Counter;
  readonly #rtpLost: Counter;
  readonly #webhookAttempts: Counter<'outcome'>;
  readonly #webhookLatency: Histogram<'outcome'>;

  constructor() {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'thunderphone_' });
    const sources = this.#sources;
    new Gauge({
      name: 'thunderphone_active_calls',
      help: 'Calls live in this process (dialing, ringing or answered)',
      registers,
      collect() {
        this.set(sources.activeCalls?.() ?? 0);
      },
    });
    this.#callsEnded = new Counter({
      name: 'thunderphone_calls_ended_total',
      help: 'Calls that reached a terminal state in this process, by direction, status and end reason',
      labelNames: ['direction', 'status', 'end_reason'],
      registers,
    });
    this.#setup = new Histogram({
      name: 'thunderphone_call_setup_seconds',
      help: 'Outbound calls: INVITE sent until answered',
      labelNames: ['direction'],
      buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 45],
      registers,
    });
    this.#voiceToVoice = new Histogram({
      name: 'thunderphone_voice_to_voice_seconds',
      help: "End of the caller's speech until the agent's first audio, per answered turn",
      buckets: MS_BUCKETS.map((ms) => ms / 1000),
      registers,
    });
    this.#jitter = new Histogram({
      name: 'thunderphone_rtp_jitter_seconds',
      help: 'RFC 3550 interarrival jitter of received RTP, per call at its end',
      buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.04, 0.08, 0.16],
      registers,
    });
    this.#rtpReceived = new Counter({
      name: 'thunderphone_rtp_packets_received_total',
      help: 'RTP packets received (counted at the end of each call)',
      registers,
    });
    this.#rtpLost = new Counter({
      name: 'thunderphone_rtp_packets_lost_total',
      help: 'RTP packets lost (never arrived, counted at the end of each call)',
      registers,
    });
    this.#webhookAttempts = new Counter({
      name: 'thunderphone_webhook_attempts_total',
      help: 'Webhook delivery attempts by outcome (delivered, retry_scheduled, failed)',
      labelNames: ['outcome'],
      registers,
    });
    this.#webhookLatency = new Histogram({
      name: 'thunderphone_webhook_attempt_seconds',
      help: 'Duration of one webhook delivery request',
      labelNames: ['outcome'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10],
      registers,
    });
    new Gauge({
      name: 'thunderphone_queue_depth',
      help: 'Background jobs waiting, by queue',
      labelNames: ['queue'],
      registers,
      async collect() {
        this.reset();
        const depth = (await sources.queueDepth?.().catch(() => undefined)) ?? {};
        for (const [queue, n] of Object.entries(depth)) this.set({ queue }, n);
      },
    });
    new Gauge({
      name: 'thunderphone_worker_sessions',
      help: 'Calls (RTP sessions) served, per media worker (main = the main thread)',
      labelNames: ['worker'],
      registers,
      collect() {
        this.reset();
        for (const w of sources.workers?.workerLoad() ?? []) this.set({ worker: w.worker }, w.sessions);
      },
    });
    new Gauge({
      name: 'thunderphone_worker_utilization_ratio',
      help: 'Share of time busy since the previous scrape, per media worker (event-loop utilization)',
      labelNames: ['worker'],
      registers,
      collect() {
        this.reset();
        for (const w of sources.workers?.workerLoad() ?? []) this.set({ worker: w.worker }, w.utilization);
      },
    });
  }

  /** Adds live readings (later calls replace earlier ones of the same name). */
  attach(sources: MetricSources): void {
    Object.assign(this.#sources, sources);
  }

  async text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  callEnded(call: { direction: string; status: string; endReason: string | null }): void {
    this.#callsEnded.inc({ direction: call.direction, status: call.status, end_reason: call.endReason ?? 'none' });
  }

  callSetup(direction: string, ms: number): void {
    this.#setup.observe({ direction }, ms / 1000);
  }

  voiceToVoice(ms: number): void {
    this.#voiceToVoice.observe(ms / 1000);
  }

  rtpCall(stats: { jitterMs: number; packetsReceived: number; packetsLost: number }): void {
    if (stats.packetsReceived > 0) this.#jitter.observe(stats.jitterMs / 1000);
    this.#rtpReceived.inc(stats.packetsReceived);
    this.#rtpLost.inc(stats.packetsLost);
  }

  webhookAttempt(outcome: string, ms: number): void {
    this.#webhookAttempts.inc({ outcome });
    this.#webhookLatency.observe({ outcome }, ms / 1000);
  }
}
