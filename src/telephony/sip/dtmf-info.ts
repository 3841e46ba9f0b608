export interface InfoDtmf {
  digit: string;
  durationMs?: number;
}

/** Reads a digit from a SIP INFO body (application/dtmf-relay or application/dtmf). */
export function parseInfoDtmf(contentType: string, body: string): InfoDtmf | null {
  const type = contentType.split(';')[0]?.trim().toLowerCase();
  if (type === 'application/dtmf-relay') {
    const signal = /^\s*signal\s*=\s*([0-9A-Da-d*#])\s*$/im.exec(body);
    if (!signal?.[1]) return null;
    const duration = /^\s*duration\s*=\s*(\d+)\s*$/im.exec(body);
    const out: InfoDtmf = { digit: signal[1].toUpperCase() };
    if (duration?.[1]) out.durationMs = Number(duration[1]);
    return out;
  }
  if (type === 'application/dtmf') {
    const d = body.trim();
    return /^[0-9A-Da-d*#]$/.test(d) ? { digit: d.toUpperCase() } : null;
  }
  return null;
}

/** Status code of a message/sipfrag body (`SIP/2.0 200 OK`), or null. */
export function parseSipfragStatus(body: string): number | null {
  const m = /^\s*SIP\/2\.0\s+(\d{3})/.exec(body);
  return m ? Number(m[1]) : null;
}
