import { Type } from '@sinclair/typebox';
import { Nullable } from './common';
import { jsonObjectColumn } from '../../store/json-columns';

/** One latency figure over a call's answered turns, in ms (Retell's per-call latency object, same names). */
const LatencyStatsWire = Nullable(
  Type.Object({
    p50: Type.Number(),
    p90: Type.Number(),
    min: Type.Number(),
    max: Type.Number(),
    num: Type.Integer({ description: 'turns with this figure' }),
  }),
);

/**
 * `latency` on the call object: per answered caller turn, the caller's wait as the pipeline sees it
 * (`e2e`: end of speech → first agent audio = `endpointing` + the rest) and its parts: `endpointing`
 * (silence waited before the turn was declared over), `stt` (words ready after that), `llm` (first
 * token), `tts` (first audio). null before the first answered turn. Per-turn figures:
 * GET /v1/calls/{id}/metrics.
 */
export const CallLatencyWire = Nullable(
  Type.Object({
    e2e: LatencyStatsWire,
    endpointing: LatencyStatsWire,
    stt: LatencyStatsWire,
    llm: LatencyStatsWire,
    tts: LatencyStatsWire,
  }),
);

type Stats = { p50: number; p90: number; min: number; max: number; num: number } | null;

/** Nearest-rank percentile of sorted values. */
const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;

function stats(values: unknown[]): Stats {
  const v = values.filter((x): x is number => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  return {
    p50: Math.round(percentile(v, 50)),
    p90: Math.round(percentile(v, 90)),
    min: Math.round(v[0]!),
    max: Math.round(v[v.length - 1]!),
    num: v.length,
  };
}

/** The `latency` object from the call's stored metrics (`metrics.turns`, written when the call ends). */
export function callLatencyOf(metricsColumn: string | null | undefined) {
  const m = jsonObjectColumn(metricsColumn ?? '{}');
  const turns = (Array.isArray(m.turns) ? m.turns : []).filter(
    (t): t is Record<string, unknown> => t !== null && typeof t === 'object',
  );
  if (turns.length === 0) return null;
  const of = (k: string) => stats(turns.map((t) => t[k]));
  return {
    e2e: of('totalMs'),
    endpointing: of('endpointingMs'),
    stt: of('sttMs'),
    llm: of('llmFirstTokenMs'),
    tts: of('ttsFirstAudioMs'),
  };
}
