/**
 * What the domains report for operators (Prometheus at GET /metrics, ops/prometheus-metrics.ts).
 * Domains depend on this interface only, never on prom-client; `noOpsMetrics` is the default.
 */
export interface OpsMetrics {
  /** A call reached its terminal state (finalized by this process). */
  callEnded(call: { direction: string; status: string; endReason: string | null }): void;
  /** Outbound: INVITE sent → answered (200 OK), in ms. */
  callSetup(direction: string, ms: number): void;
  /** One answered caller turn: end of the caller's speech → the agent's first audio, in ms. */
  voiceToVoice(ms: number): void;
  /** A call's RTP receive statistics at its end. */
  rtpCall(stats: { jitterMs: number; packetsReceived: number; packetsLost: number }): void;
  /** One webhook delivery attempt: its outcome and how long the request took, in ms. */
  webhookAttempt(outcome: string, ms: number): void;
}

export const noOpsMetrics: OpsMetrics = {
  callEnded: () => undefined,
  callSetup: () => undefined,
  voiceToVoice: () => undefined,
  rtpCall: () => undefined,
  webhookAttempt: () => undefined,
};

/** The load of one media worker (or of the main thread while media runs there). */
export interface WorkerLoad {
  /** `main`, or the worker's name (`media-1` ...). */
  worker: string;
  /** Calls (RTP sessions) it serves now. */
  sessions: number;
  /** Share of its time spent busy since the previous reading, 0..1 (event-loop utilization). */
  utilization: number;
}

/** Whatever runs media reports its workers' load here (GET /metrics `thunderphone_worker_*`). */
export interface WorkerLoadSource {
  workerLoad(): WorkerLoad[];
}
