import type { Clock } from '../../shared/clock';
import type { Timers } from '../../shared/timers';
import type { InflightWork } from '../inflight-work';
import type { SessionTime } from '../session-time';
import type { StreamingSttProvider, SttProvider } from '../stt/stt';
import type { VadFactory, VadProvider } from '../vad/vad';
import type { AgentFloor } from './barge-in-policy';
import type { EndpointerOptions } from './endpointer';

/** How TurnTaking is built: its providers, timings and what it asks of the session. */
export interface TurnTakingTimings extends Omit<EndpointerOptions, 'frameMs'> {
  sttTimeoutMs: number;
  endOfTurnSilenceMs: number;
  turnMinSilenceMs: number;
  turnMaxSilenceMs: number;
  turnPauseMs: number;
  turnPrepareAfterMs: number;
  prepareReplies: boolean;
  /** Barge-in while the agent speaks: voiced ms or interim words needed (barge-in-policy.ts). */
  bargeInMinSpeechMs: number;
  bargeInMinWords: number;
  /** False: any caller speech stops the agent at once. */
  bargeInFilterBackchannels: boolean;
}

export interface TurnTakingOptions {
  vad: VadProvider | VadFactory;
  stt?: SttProvider | undefined;
  sttStreaming?: StreamingSttProvider | undefined;
  language: string | undefined;
  timings: TurnTakingTimings;
  clock: Clock;
  time: SessionTime;
  /** Keep-alive and reconnect timers of the streaming STT. */
  timers?: Timers | undefined;
  /** What the agent is doing right now (for the barge-in policy). */
  floor: () => AgentFloor;
  /** Pending provider work (the session's whenIdle). */
  work: InflightWork;
  onListenerError: (err: unknown) => void;
}
