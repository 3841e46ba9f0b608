import type { G711Codec } from '../../audio/g711';
import type { MediaDirection } from './sdp-types';

/** Static RTP/AVP payload types (RFC 3551). */
export const STATIC_PAYLOAD_TYPES: Readonly<Record<G711Codec, number>> = { PCMU: 0, PCMA: 8 };
export const DEFAULT_TELEPHONE_EVENT_PT = 101;

export interface SdpEndpoint {
  /** Our media address, written into o= and c=. */
  address: string;
  port: number;
  sessionId: string | number;
  /** Must increase on every new offer/answer in the same session (re-INVITE). */
  sessionVersion?: string | number;
  direction?: MediaDirection;
}

export interface OfferOptions extends SdpEndpoint {
  codecs?: G711Codec[];
  telephoneEvent?: boolean;
  ptimeMs?: number;
}

export function addressType(address: string): 'IP4' | 'IP6' {
  return address.includes(':') ? 'IP6' : 'IP4';
}

export interface AudioSectionSpec {
  port: number;
  codecs: Array<{ codec: G711Codec; payloadType: number }>;
  telephoneEventPayloadType?: number | undefined;
  ptimeMs: number;
  direction: MediaDirection;
}

/** Renders a complete SDP body with one session header and the given m= sections (CRLF lines). */
export function renderSdp(local: SdpEndpoint, sections: string[][]): string {
  const at = addressType(local.address);
  const lines = [
    'v=0',
    `o=- ${local.sessionId} ${local.sessionVersion ?? local.sessionId} IN ${at} ${local.address}`,
    's=ThunderPhone',
    `c=IN ${at} ${local.address}`,
    't=0 0',
    ...sections.flat(),
  ];
  return lines.join('\r\n') + '\r\n';
}

export function audioSection(spec: AudioSectionSpec): string[] {
  const pts = spec.codecs.map((c) => c.payloadType);
  if (spec.telephoneEventPayloadType !== undefined) pts.push(spec.telephoneEventPayloadType);
  const lines = [`m=audio ${spec.port} RTP/AVP ${pts.join(' ')}`];
  for (const c of spec.codecs) lines.push(`a=rtpmap:${c.payloadType} ${c.codec}/8000`);
  if (spec.telephoneEventPayloadType !== undefined) {
    lines.push(
      `a=rtpmap:${spec.telephoneEventPayloadType} telephone-event/8000`,
      `a=fmtp:${spec.telephoneEventPayloadType} 0-16`,
    );
  }
  lines.push(`a=ptime:${spec.ptimeMs}`, `a=${spec.direction}`);
  return lines;
}

/** Builds our SDP offer: G.711 (PCMU first by default), RFC 4733 telephone-event, ptime 20. */
export function buildOffer(options: OfferOptions): string {
  const codecs = (options.codecs ?? ['PCMU', 'PCMA']).map((codec) => ({
    codec,
    payloadType: STATIC_PAYLOAD_TYPES[codec],
  }));
  if (codecs.length === 0) throw new RangeError('buildOffer needs at least one codec');
  return renderSdp(options, [
    audioSection({
      port: options.port,
      codecs,
      telephoneEventPayloadType: options.telephoneEvent === false ? undefined : DEFAULT_TELEPHONE_EVENT_PT,
      ptimeMs: options.ptimeMs ?? 20,
      direction: options.direction ?? 'sendrecv',
    }),
  ]);
}
