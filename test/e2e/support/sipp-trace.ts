/** One call as a sipp trunk saw it, from its `-trace_msg` message log. */
export interface TrunkDialog {
  callId: string;
  /** When the trunk received the dialog's first INVITE (ms on sipp's clock; compare only with each other). */
  inviteMs: number;
  /** When the trunk sent its BYE, if it did. */
  byeMs?: number;
}

const BLOCK =
  /^-{10,} (\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d\.\d+)\n\S+ message (received|sent)[^\n]*\n\n([\s\S]*?)(?=^-{10,} \d{4}-|(?![\s\S]))/gm;

/**
 * The dialogs in sipp's message trace (`-trace_msg`), one per Call-ID: the first INVITE received
 * (a digest-challenged dial sends a second INVITE in the same dialog) and the BYE sent.
 */
export function trunkDialogs(log: string): TrunkDialog[] {
  const dialogs = new Map<string, TrunkDialog>();
  for (const m of log.matchAll(BLOCK)) {
    const [, day, time, direction, message] = m;
    const atMs = Date.parse(`${day}T${time!.slice(0, 12)}Z`) + Number(`0.${time!.slice(13) || '0'}`);
    const firstLine = message!.split('\n', 1)[0]!;
    const callId = /^Call-ID:\s*(\S+)/im.exec(message!)?.[1];
    if (!callId) continue;
    if (direction === 'received' && firstLine.startsWith('INVITE ') && !dialogs.has(callId))
      dialogs.set(callId, { callId, inviteMs: atMs });
    if (direction === 'sent' && firstLine.startsWith('BYE ')) {
      const d = dialogs.get(callId);
      if (d && d.byeMs === undefined) d.byeMs = atMs;
    }
  }
  return [...dialogs.values()];
}
