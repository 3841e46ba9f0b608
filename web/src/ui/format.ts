/** Display helpers: every time in the browser's own time zone, money from integer cents. */

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
const timeOnly = new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' });

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateTime.format(d);
}

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : timeOnly.format(d);
}

export const timeZoneName = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone;

export function formatCents(cents: number | null | undefined): string {
  if (cents === null || cents === undefined) return '—';
  const sign = cents < 0 ? '−' : '';
  return `${sign}$${(Math.abs(cents) / 100).toFixed(2)}`;
}

export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '—';
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  return m > 0 ? `${m} min ${s} s` : `${s} s`;
}

export function formatMs(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? '—' : `${Math.round(ms)} ms`;
}

const STATUS_WORDS: Record<string, string> = {
  in_progress: 'In progress',
  completed: 'Completed',
  failed: 'Failed',
};

export const callStatusLabel = (s: string): string => STATUS_WORDS[s] ?? s;

export const humanize = (s: string | null | undefined): string =>
  s ? s.replace(/[_-]+/g, ' ').replace(/^./, (c) => c.toUpperCase()) : '—';

/** `datetime-local` value (browser time zone) ↔ ISO instant. */
export function localInputToIso(value: string): string | undefined {
  if (!value) return undefined;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** Dollars typed by a person → integer cents (undefined when it is not an amount). */
export function dollarsToCents(text: string): number | undefined {
  const m = /^\s*(-)?\$?\s*(\d+)(?:[.,](\d{1,2}))?\s*$/.exec(text);
  if (!m) return undefined;
  const cents = Number(m[2]) * 100 + Number((m[3] ?? '0').padEnd(2, '0'));
  return m[1] ? -cents : cents;
}
