import type { G711Codec } from '../../audio/g711';
import { audioSection, renderSdp, type SdpEndpoint } from './build-offer';
import { parseSdp, SdpParseError } from './parse-sdp';
import type { MediaDirection, NegotiatedMedia, SdpMedia, SdpResult, SessionDescription } from './sdp-types';

export interface AnswerOptions extends SdpEndpoint {
  /** Codecs we accept, in no particular order; the offer's order decides (RFC 3264 §6.1). */
  codecs?: G711Codec[];
  /** Answer telephone-event when offered (default true). */
  telephoneEvent?: boolean;
}

const RTP_PROTOS = new Set(['RTP/AVP', 'RTP/AVPF']);
const NULL_ADDRESSES = new Set(['0.0.0.0', '::']);

interface AudioChoice {
  index: number;
  media: SdpMedia;
  codec: G711Codec;
  payloadType: number;
  telephoneEventPayloadType?: number;
}

function codecOf(m: SdpMedia, format: string): G711Codec | undefined {
  const pt = Number(format);
  const map = m.rtpmaps.find((r) => r.payloadType === pt);
  if (!map) return pt === 0 ? 'PCMU' : pt === 8 ? 'PCMA' : undefined;
  const name = map.encoding.toUpperCase();
  if (map.clockRate !== 8000 || (map.channels ?? 1) !== 1) return undefined;
  return name === 'PCMU' || name === 'PCMA' ? name : undefined;
}

function telephoneEventOf(m: SdpMedia): number | undefined {
  const map = m.rtpmaps.find(
    (r) =>
      r.encoding.toLowerCase() === 'telephone-event' &&
      r.clockRate === 8000 &&
      m.formats.includes(String(r.payloadType)),
  );
  return map?.payloadType;
}

function chooseAudio(sd: SessionDescription, accepted: readonly G711Codec[]): AudioChoice | { error: string } {
  const audio = sd.media
    .map((media, index) => ({ media, index }))
    .filter(({ media }) => media.type === 'audio' && media.port !== 0);
  if (audio.length === 0) return { error: 'no audio stream in the SDP' };
  const offered: string[] = [];
  for (const { media, index } of audio) {
    if (!RTP_PROTOS.has(media.proto)) {
      offered.push(media.proto);
      continue;
    }
    for (const format of media.formats) {
      const codec = codecOf(media, format);
      if (codec && accepted.includes(codec)) {
        const te = telephoneEventOf(media);
        return {
          index,
          media,
          codec,
          payloadType: Number(format),
          ...(te !== undefined ? { telephoneEventPayloadType: te } : {}),
        };
      }
      offered.push(media.rtpmaps.find((r) => r.payloadType === Number(format))?.encoding ?? format);
    }
  }
  return { error: `no common codec: we support ${accepted.join('/')}, the SDP has ${offered.join(', ') || 'nothing'}` };
}

/** Combines the peer's stated direction with ours into what WE may do. */
function ourDirection(remote: MediaDirection, local: MediaDirection, remoteReachable: boolean): MediaDirection {
  const weSend =
    remoteReachable &&
    (remote === 'sendrecv' || remote === 'recvonly') &&
    (local === 'sendrecv' || local === 'sendonly');
  const weReceive = (remote === 'sendrecv' || remote === 'sendonly') && (local === 'sendrecv' || local === 'recvonly');
  if (weSend && weReceive) return 'sendrecv';
  if (weSend) return 'sendonly';
  if (weReceive) return 'recvonly';
  return 'inactive';
}

function negotiated(sd: SessionDescription, choice: AudioChoice, local: MediaDirection): SdpResult<NegotiatedMedia> {
  const connection = choice.media.connection ?? sd.connection;
  if (!connection) return { error: 'the audio stream has no connection address (c=)' };
  const remoteDirection = choice.media.direction ?? sd.direction ?? 'sendrecv';
  const nullAddress = NULL_ADDRESSES.has(connection.address);
  return {
    codec: choice.codec,
    payloadType: choice.payloadType,
    ...(choice.telephoneEventPayloadType !== undefined
      ? { telephoneEventPayloadType: choice.telephoneEventPayloadType }
      : {}),
    remoteAddress: connection.address,
    remotePort: choice.media.port,
    direction: ourDirection(remoteDirection, local, !nullAddress),
    ptimeMs: choice.media.ptimeMs ?? 20,
    onHold: nullAddress || remoteDirection === 'sendonly' || remoteDirection === 'inactive',
  };
}

function parsed(text: string): SessionDescription | { error: string } {
  try {
    return parseSdp(text);
  } catch (err) {
    if (err instanceof SdpParseError) return { error: `malformed SDP: ${err.message}` };
    throw err;
  }
}

/**
 * Answers a remote offer (inbound INVITE or re-INVITE). Picks the first G.711 format in the
 * offer's order, echoes telephone-event with the offer's payload type, answers every other
 * m= line with port 0. `{ error }` means the offer is unacceptable (reply 488).
 */
export function negotiateAnswer(
  offerText: string,
  local: AnswerOptions,
): SdpResult<{ answerSdp: string; media: NegotiatedMedia }> {
  const sd = parsed(offerText);
  if ('error' in sd) return sd;
  const choice = chooseAudio(sd, local.codecs ?? ['PCMU', 'PCMA']);
  if ('error' in choice) return choice;
  const media = negotiated(sd, choice, local.direction ?? 'sendrecv');
  if ('error' in media) return media;
  if (local.telephoneEvent === false) delete media.telephoneEventPayloadType;
  const sections = sd.media.map((m, i) =>
    i === choice.index
      ? audioSection({
          port: local.port,
          codecs: [{ codec: media.codec, payloadType: media.payloadType }],
          telephoneEventPayloadType: media.telephoneEventPayloadType,
          ptimeMs: 20,
          direction: media.direction,
        })
      : [`m=${m.type} 0 ${m.proto} ${m.formats[0] ?? '0'}`],
  );
  return { answerSdp: renderSdp(local, sections), media };
}

/** Reads the answer to our offer (200 OK or 183 SDP). */
export function readAnswer(
  answerText: string,
  local: { direction?: MediaDirection; codecs?: G711Codec[] } = {},
): SdpResult<NegotiatedMedia> {
  const sd = parsed(answerText);
  if ('error' in sd) return sd;
  const choice = chooseAudio(sd, local.codecs ?? ['PCMU', 'PCMA']);
  if ('error' in choice) return choice;
  return negotiated(sd, choice, local.direction ?? 'sendrecv');
}
