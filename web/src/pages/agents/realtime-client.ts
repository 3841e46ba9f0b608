/**
 * "Talk to this agent" over the /v1/realtime WebSocket (the OpenAI Realtime protocol, GA names).
 * Authentication is the console's session cookie: the browser sends it with the same-origin
 * upgrade, and the server accepts the cookie on this route only when `Origin` is the server
 * itself. No key is ever in the page. The microphone is captured at 16 kHz (Web Audio resamples),
 * sent as pcm16 chunks of ~128 ms; the agent's pcm16 24 kHz audio is played gap-free in order,
 * and dropped at once when the caller barges in (speech_started).
 */
export interface TalkTranscriptEvent {
  role: 'user' | 'assistant';
  text: string;
  /** False while the turn is still being spoken/recognized. */
  final: boolean;
}

export interface TalkSession {
  hangUp(): void;
}

export type TalkState = 'connecting' | 'listening' | 'speaking' | 'ended' | 'error';

export interface RealtimeClient {
  talk(
    agentId: number,
    handlers: {
      onState: (state: TalkState, detail?: string) => void;
      onTranscript: (event: TalkTranscriptEvent) => void;
    },
  ): Promise<TalkSession>;
}

const INPUT_RATE = 16000;
const OUTPUT_RATE = 24000;

function toBase64(pcm: Int16Array): string {
  const bytes = new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength);
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

function fromBase64(b64: string): Float32Array<ArrayBuffer> {
  const bin = atob(b64);
  const out = new Float32Array(bin.length >> 1);
  for (let i = 0; i < out.length; i++) {
    const v = bin.charCodeAt(2 * i) | (bin.charCodeAt(2 * i + 1) << 8);
    out[i] = (v >= 0x8000 ? v - 0x10000 : v) / 0x8000;
  }
  return out;
}

/** Plays 24 kHz chunks back to back; `clear()` stops everything queued (barge-in). */
class Player {
  readonly #ctx = new AudioContext({ sampleRate: OUTPUT_RATE });
  #next = 0;
  readonly #sources = new Set<AudioBufferSourceNode>();

  play(samples: Float32Array<ArrayBuffer>): void {
    const buf = this.#ctx.createBuffer(1, samples.length, OUTPUT_RATE);
    buf.copyToChannel(samples, 0);
    const src = this.#ctx.createBufferSource();
    src.buffer = buf;
    src.connect(this.#ctx.destination);
    const at = Math.max(this.#next, this.#ctx.currentTime + 0.05);
    src.start(at);
    this.#next = at + buf.duration;
    this.#sources.add(src);
    src.onended = () => this.#sources.delete(src);
  }

  clear(): void {
    for (const s of this.#sources) s.stop();
    this.#sources.clear();
    this.#next = 0;
  }

  close(): void {
    this.clear();
    void this.#ctx.close();
  }
}

class WebSocketRealtimeClient implements RealtimeClient {
  async talk(
    agentId: number,
    handlers: { onState: (state: TalkState, detail?: string) => void; onTranscript: (e: TalkTranscriptEvent) => void },
  ): Promise<TalkSession> {
    handlers.onState('connecting');
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: { channelCount: 1, echoCancellation: true } });
    } catch (err) {
      handlers.onState('error', `The microphone is not available: ${(err as Error).message}`);
      return { hangUp: () => undefined };
    }
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const query = new URLSearchParams({
      agent_id: String(agentId),
      input_audio_format: 'pcm16',
      input_rate: String(INPUT_RATE),
      output_audio_format: 'pcm16',
      output_rate: String(OUTPUT_RATE),
    });
    const ws = new WebSocket(`${scheme}://${location.host}/v1/realtime?${query}`);
    const mic = new AudioContext({ sampleRate: INPUT_RATE });
    const player = new Player();
    const assistant = new Map<string, string>();
    let opened = false;
    let ended = false;

    const source = mic.createMediaStreamSource(stream);
    // ScriptProcessor: an AudioWorklet module would need a script URL the strict CSP does not allow inline.
    const proc = mic.createScriptProcessor(2048, 1, 1);
    proc.onaudioprocess = (e) => {
      if (ws.readyState !== WebSocket.OPEN) return;
      const f = e.inputBuffer.getChannelData(0);
      const pcm = new Int16Array(f.length);
      for (let i = 0; i < f.length; i++) pcm[i] = Math.max(-1, Math.min(1, f[i]!)) * 0x7fff;
      ws.send(JSON.stringify({ type: 'input_audio_buffer.append', audio: toBase64(pcm) }));
    };
    source.connect(proc);
    proc.connect(mic.destination);

    const stop = (state: TalkState, detail?: string) => {
      if (ended) return;
      ended = true;
      proc.disconnect();
      source.disconnect();
      for (const t of stream.getTracks()) t.stop();
      void mic.close();
      player.close();
      if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.close(1000, 'hang up');
      handlers.onState(state, detail);
    };

    ws.onopen = () => {
      opened = true;
      handlers.onState('listening');
    };
    ws.onclose = (e) => {
      if (!opened) stop('error', 'The server refused the session (signed out, or the agent is gone?).');
      else stop('ended', e.reason || undefined);
    };
    ws.onmessage = (m) => {
      let ev: Record<string, unknown>;
      try {
        ev = JSON.parse(String(m.data)) as Record<string, unknown>;
      } catch {
        return;
      }
      switch (ev.type) {
        case 'input_audio_buffer.speech_started':
          player.clear();
          handlers.onState('listening');
          break;
        case 'conversation.item.input_audio_transcription.completed':
          handlers.onTranscript({ role: 'user', text: String(ev.transcript), final: true });
          break;
        case 'response.output_audio_transcript.delta': {
          const id = String(ev.response_id);
          const text = (assistant.get(id) ?? '') + String(ev.delta);
          assistant.set(id, text);
          handlers.onTranscript({ role: 'assistant', text, final: false });
          break;
        }
        case 'response.output_audio.delta':
          handlers.onState('speaking');
          player.play(fromBase64(String(ev.delta)));
          break;
        case 'response.done': {
          const r = ev.response as { id: string };
          const text = assistant.get(r.id);
          if (text !== undefined) handlers.onTranscript({ role: 'assistant', text, final: true });
          handlers.onState('listening');
          break;
        }
        case 'error': {
          const err = ev.error as { message?: string };
          handlers.onState('error', err.message);
          break;
        }
      }
    };
    return { hangUp: () => stop('ended') };
  }
}

export function createRealtimeClient(features: { realtime: boolean }): RealtimeClient | undefined {
  if (!features.realtime) return undefined;
  return new WebSocketRealtimeClient();
}
