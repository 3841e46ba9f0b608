import type { LegDialogSnapshot } from '../telephony/call/call-leg-types';
import type { RowUpdate } from '../store/tables';

/** The columns written when a call is answered: its SIP Call-ID and the whole dialog (calls.sip_dialog). */
export function dialogColumns(snapshot: LegDialogSnapshot | undefined): RowUpdate<'calls'> {
  if (!snapshot) return {};
  return { sip_call_id: snapshot.dialog.callId, sip_dialog: JSON.stringify(snapshot) };
}

const isString = (v: unknown): v is string => typeof v === 'string';

/** calls.sip_dialog back to a snapshot; null when absent or not one (a BYE is then impossible). */
export function parseDialogColumn(text: string | null): LegDialogSnapshot | null {
  if (text === null) return null;
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null) return null;
  const s = v as Partial<LegDialogSnapshot>;
  const d = s.dialog;
  const dest = s.destination;
  const transportOk = (t: unknown) => t === 'udp' || t === 'tcp';
  if (
    !d ||
    !dest ||
    !transportOk(s.transport) ||
    !transportOk(dest.transport) ||
    !isString(dest.address) ||
    !Number.isInteger(dest.port) ||
    ![d.callId, d.localTag, d.remoteTag, d.localHeader, d.remoteHeader, d.remoteTarget].every(isString) ||
    !Array.isArray(d.routeSet) ||
    !d.routeSet.every(isString) ||
    !Number.isInteger(d.localSeq)
  )
    return null;
  return s as LegDialogSnapshot;
}
