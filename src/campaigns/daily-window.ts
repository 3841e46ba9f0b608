import { DateTime, IANAZone } from 'luxon';

/**
 * The campaign's daily calling window in its IANA time zone (sans-IO: the time comes in).
 * `start`/`end` are "HH:MM" wall-clock times; `end` may be "24:00" (midnight at the end of the
 * day); `end` < `start` is an overnight window (22:00–02:00 runs past midnight). On a DST day
 * the window follows the wall clock: 09:00 is 09:00 local whatever the UTC offset; a wall time
 * that does not exist that day (02:30 when clocks jump from 02:00 to 03:00) is the first instant
 * after the jump.
 */
export type WindowState = { open: true; closesAtMs: number } | { open: false; opensAtMs: number };

const HH_MM = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** "HH:MM" → minutes after midnight, or null; `allowEndOfDay` also takes "24:00". */
export function parseHhMm(value: string, allowEndOfDay = false): number | null {
  if (allowEndOfDay && value === '24:00') return 24 * 60;
  const m = HH_MM.exec(value);
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
}

export function isValidTimeZone(zone: string): boolean {
  return zone.includes('/') || zone === 'UTC' ? IANAZone.isValidZone(zone) : false;
}

/** The instant of `minutes` after local midnight of `day` (a DateTime at the start of a local day). */
function at(day: DateTime, minutes: number): number {
  if (minutes === 24 * 60) return day.plus({ days: 1 }).startOf('day').toMillis();
  return day.set({ hour: Math.floor(minutes / 60), minute: minutes % 60, second: 0, millisecond: 0 }).toMillis();
}

/** Windows [open, close) that touch the local days around `nowMs`, in order. */
function windowsAround(nowMs: number, zone: string, start: number, end: number): Array<[number, number]> {
  const today = DateTime.fromMillis(nowMs, { zone }).startOf('day');
  const out: Array<[number, number]> = [];
  for (let d = -1; d <= 2; d++) {
    const day = today.plus({ days: d }).startOf('day');
    if (end > start) out.push([at(day, start), at(day, end)]);
    else if (end < start) out.push([at(day, start), at(day.plus({ days: 1 }).startOf('day'), end)]);
    else out.push([at(day, 0), at(day.plus({ days: 1 }).startOf('day'), 0)]); // start = end: all day
  }
  return out;
}

export function windowState(nowMs: number, zone: string, startHhMm: string, endHhMm: string): WindowState {
  const start = parseHhMm(startHhMm);
  const end = parseHhMm(endHhMm, true);
  if (start === null || end === null) throw new Error(`bad window ${startHhMm}-${endHhMm}`);
  const windows = windowsAround(nowMs, zone, start, end);
  const current = windows.find(([o, c]) => o <= nowMs && nowMs < c);
  if (current) {
    // An all-day window chains into the next day's: it never closes.
    return { open: true, closesAtMs: start === end || (start === 0 && end === 24 * 60) ? Infinity : current[1] };
  }
  const next = windows.find(([o]) => o > nowMs);
  return { open: false, opensAtMs: next ? next[0] : nowMs + 86_400_000 };
}
