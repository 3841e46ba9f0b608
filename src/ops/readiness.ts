import { createSocket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '../config/config';
import { TTS_ENGINE_INFO, type VoiceCatalog } from '../voice/tts/voice-catalog';

/**
 * What works and what is missing on this server, said once where the user looks: the start
 * banner (main.ts, start-banner.ts) and `checks` of GET /v1/healthz. Each part is `ok`,
 * `missing` (that part does not work: the status becomes degraded) or `warning` (works, but
 * something a user will notice is off), with the one command or variable that fixes it.
 */
export type ReadinessStatus = 'ok' | 'missing' | 'warning';

export interface ReadinessCheck {
  status: ReadinessStatus;
  /** What is there, in a few words (also when not ok). */
  detail: string;
  /** Why it is not ok (null while ok). */
  reason: string | null;
  /** The command or variable that fixes it (null while ok). */
  fix: string | null;
  [extra: string]: unknown;
}

export const READINESS_PARTS = ['sip', 'rtp', 'tts', 'llm', 'stt', 'console'] as const;
export type ReadinessPart = (typeof READINESS_PARTS)[number];
export type ReadinessChecks = Record<ReadinessPart, ReadinessCheck>;

/**
 * Where the web console's build is and how to make it: the same folder api/routes/console-static.ts
 * serves (CONSOLE_DIST_DIR; ops/ may not import api/, so the path is repeated here) and the script
 * that builds it (scripts/build-console.mjs, also run by `npm ci` and `npm start`).
 */
export const CONSOLE_BUILD = {
  dir: fileURLToPath(new URL('../../web/dist', import.meta.url)),
  fix: 'npm run build:console',
};

const ok = (detail: string, extra: Record<string, unknown> = {}): ReadinessCheck => ({
  status: 'ok',
  detail,
  reason: null,
  fix: null,
  ...extra,
});
const notOk = (
  status: 'missing' | 'warning',
  detail: string,
  reason: string,
  fix: string,
  extra: Record<string, unknown> = {},
): ReadinessCheck => ({ status, detail, reason, fix, ...extra });

/** The TTS engine that speaks, its voices, and the optional engines that are not installed. */
export function ttsCheck(voices: VoiceCatalog): ReadinessCheck {
  const selection = voices.selection;
  const engine = voices.engine;
  const optional = (['espeak-ng', 'flite'] as const)
    .filter((e) => selection && !selection.installed[e])
    .map((e) => ({ engine: e, improves: TTS_ENGINE_INFO[e].improves, fix: TTS_ENGINE_INFO[e].fix }));
  const extra = {
    engine: engine ?? null,
    configured: selection?.configured ?? null,
    voices: voices.size,
    default_voice: voices.defaultVoice()?.id ?? null,
    optional,
  };
  if (engine === undefined)
    return notOk(
      'missing',
      'no text-to-speech engine',
      'no engine is installed: agents cannot speak',
      TTS_ENGINE_INFO.embedded.fix,
      extra,
    );
  const detail = `${TTS_ENGINE_INFO[engine].label}: ${voices.size} voices, default ${extra.default_voice}`;
  if (selection?.problem) return notOk('missing', detail, selection.problem.reason, selection.problem.fix, extra);
  if (voices.defaultVoiceProblem)
    return notOk('warning', detail, voices.defaultVoiceProblem, 'set TTS_VOICE to an id of GET /v1/voices', extra);
  return ok(detail, extra);
}

/** An OpenAI-compatible endpoint the agent needs (LLM or STT): configured or not. A warning, never a crash. */
export function endpointCheck(
  part: 'llm' | 'stt',
  endpoint: { baseUrl: string; model: string } | undefined,
): ReadinessCheck {
  if (endpoint) return ok(`${endpoint.baseUrl} (model ${endpoint.model})`);
  const what = part === 'llm' ? 'language model' : 'speech to text';
  return notOk(
    'warning',
    `no ${what}`,
    'not configured: calls are refused (POST /v1/call 503 agent_not_configured, inbound SIP 503) until it is',
    part === 'llm' ? 'set LLM_BASE_URL and LLM_MODEL (and LLM_API_KEY)' : 'set STT_BASE_URL (and STT_API_KEY)',
  );
}

/** The SIP user agent: bound (the port really used), reachable from trunks (not a loopback address). */
export function sipCheck(config: Pick<Config, 'sip'>, boundPort: number | undefined): ReadinessCheck {
  const { bind, publicAddress } = config.sip;
  if (boundPort === undefined)
    return notOk(
      'missing',
      `SIP ${bind}:${config.sip.port}`,
      'the SIP user agent is not running in this process',
      'npm start',
    );
  const detail = `udp+tcp ${bind}:${boundPort}, public address ${publicAddress}`;
  if (/^127\.|^::1$|^localhost$/.test(publicAddress))
    return notOk(
      'warning',
      detail,
      `the public address ${publicAddress} is a loopback address: only this machine can reach it`,
      'set SIP_PUBLIC_ADDRESS to the address your trunk can reach',
      { port: boundPort },
    );
  return ok(detail, { port: boundPort });
}

export interface RtpProbe {
  tried: number[];
  free: number[];
  error?: string;
}

/**
 * Binds a few even ports spread over RTP_PORT_MIN..MAX (UDP, SIP_BIND) and releases them at once:
 * proof that calls will get media ports, without holding any.
 */
export async function probeRtpRange(config: Pick<Config, 'sip' | 'rtp'>, samples = 8): Promise<RtpProbe> {
  const { portMin, portMax } = config.rtp;
  const first = portMin % 2 === 0 ? portMin : portMin + 1;
  const evens = Math.max(1, Math.floor((portMax - first) / 2) + 1);
  const step = Math.max(1, Math.floor(evens / samples));
  const tried = [...new Set(Array.from({ length: Math.min(samples, evens) }, (_, i) => first + 2 * i * step))];
  const probe: RtpProbe = { tried, free: [] };
  for (const port of tried) {
    const error = await new Promise<string | undefined>((resolve) => {
      const s = createSocket('udp4');
      s.once('error', (err) => {
        s.close();
        resolve(err.message);
      });
      s.bind(port, config.sip.bind, () => s.close(() => resolve(undefined)));
    });
    if (error === undefined) probe.free.push(port);
    else probe.error ??= error;
  }
  return probe;
}

export function rtpCheck(config: Pick<Config, 'rtp'>, probe: RtpProbe | undefined): ReadinessCheck {
  const { portMin, portMax } = config.rtp;
  const ports = portMax - portMin + 1;
  const detail = `ports ${portMin}-${portMax} (up to ${Math.floor(ports / 2)} calls)`;
  if (probe === undefined) return ok(detail);
  if (probe.free.length === 0)
    return notOk(
      'missing',
      detail,
      `none of the ${probe.tried.length} ports tried could be bound: ${probe.error ?? 'unknown error'}`,
      'set RTP_PORT_MIN and RTP_PORT_MAX to a free UDP range (and SIP_BIND to an address of this machine)',
    );
  return ok(detail, { ports_tried: probe.tried.length, ports_free: probe.free.length });
}

/** The web console: built (index.html in its build folder) or not. */
export function consoleCheck(
  build: { dir: string; fix: string },
  publicBaseUrl: string,
  exists = existsSync,
): ReadinessCheck {
  if (exists(join(build.dir, 'index.html'))) return ok(`${publicBaseUrl}/`);
  return notOk('missing', 'no console', `the console is not built (${build.dir} has no index.html)`, build.fix);
}

/**
 * The checks of one process: static ones from the configuration and the voice catalog, the RTP
 * probe run once at start, and the SIP port once the user agent is up (main.ts tells it).
 */
export class Readiness {
  readonly #config: Config;
  readonly #voices: VoiceCatalog;
  readonly #consoleBuild: { dir: string; fix: string };
  #sipPort: number | undefined;
  #rtp: RtpProbe | undefined;

  constructor(o: { config: Config; voices: VoiceCatalog; consoleBuild?: { dir: string; fix: string } }) {
    this.#config = o.config;
    this.#voices = o.voices;
    this.#consoleBuild = o.consoleBuild ?? CONSOLE_BUILD;
  }

  /** The SIP user agent is listening on `port` (the real one: SIP_PORT=0 picks a free port). */
  sipStarted(port: number): void {
    this.#sipPort = port;
  }

  async probeRtp(): Promise<void> {
    this.#rtp = await probeRtpRange(this.#config);
  }

  checks(): ReadinessChecks {
    const c = this.#config;
    return {
      sip: sipCheck(c, this.#sipPort),
      rtp: rtpCheck(c, this.#rtp),
      tts: ttsCheck(this.#voices),
      llm: endpointCheck('llm', c.llm),
      stt: c.sttStreaming
        ? ok(
            `streaming ${c.sttStreaming.provider} ${c.sttStreaming.url} (model ${c.sttStreaming.model})` +
              (c.stt ? `, upload fallback ${c.stt.baseUrl}` : ', no upload fallback'),
          )
        : endpointCheck('stt', c.stt),
      console: consoleCheck(this.#consoleBuild, c.http.publicBaseUrl),
    };
  }
}
