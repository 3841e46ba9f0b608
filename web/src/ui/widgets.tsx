import { useEffect, useRef, useState, type ReactNode } from 'react';
import { callStatusLabel, formatDateTime, timeZoneName } from './format';

export function Time({ iso }: { iso: string | null | undefined }) {
  if (!iso) return <span>—</span>;
  return (
    <time dateTime={iso} title={`${iso} (shown in ${timeZoneName()})`}>
      {formatDateTime(iso)}
    </time>
  );
}

const BADGE: Record<string, string> = {
  in_progress: 'badge-live',
  completed: 'badge-ok',
  failed: 'badge-bad',
  active: 'badge-ok',
  verified: 'badge-ok',
  connected: 'badge-ok',
  delivered: 'badge-ok',
  pending: 'badge-warn',
  provisioning: 'badge-warn',
  unverified: 'badge-warn',
  failing: 'badge-bad',
  error: 'badge-bad',
  disabled: 'badge-muted',
  cancelled: 'badge-muted',
  revoked: 'badge-muted',
  released: 'badge-muted',
};

export function Badge({ value, label }: { value: string; label?: string }) {
  return <span className={`badge ${BADGE[value] ?? 'badge-muted'}`}>{label ?? callStatusLabel(value)}</span>;
}

/** A secret the API shows once: visible, selectable, with a copy button and a clear warning. */
export function SecretOnce({ label, value, onDone }: { label: string; value: string; onDone?: () => void }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="alert alert-secret" role="status">
      <p>
        <strong>{label}</strong> — shown only this once. Store it now.
      </p>
      <code className="secret" data-testid="secret-value">
        {value}
      </code>
      <div className="row">
        <button
          type="button"
          className="btn"
          onClick={() => {
            void navigator.clipboard?.writeText(value).then(
              () => setCopied(true),
              () => setCopied(false),
            );
          }}
        >
          {copied ? 'Copied' : 'Copy'}
        </button>
        {onDone ? (
          <button type="button" className="btn btn-quiet" onClick={onDone}>
            I stored it
          </button>
        ) : null}
      </div>
    </div>
  );
}

/** A modal dialog (native <dialog>: focus is trapped and Escape closes it). */
export function Dialog({
  open,
  title,
  onClose,
  children,
}: {
  open: boolean;
  title: string;
  onClose: () => void;
  children: ReactNode;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog ref={ref} aria-labelledby="dialog-title" onClose={onClose} className="dialog">
      {open ? (
        <>
          <div className="dialog-head">
            <h2 id="dialog-title">{title}</h2>
            <button type="button" className="btn btn-quiet" onClick={onClose} aria-label="Close">
              ✕
            </button>
          </div>
          {children}
        </>
      ) : null}
    </dialog>
  );
}

/** A horizontally scrollable, keyboard-focusable wrapper for wide tables at phone width. */
export function TableWrap({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="table-wrap" role="region" aria-label={label} tabIndex={0}>
      {children}
    </div>
  );
}

/** Announces a short status to screen readers (and shows it). */
export function LiveMessage({ message }: { message: string | null }) {
  return (
    <p className="live-message" role="status" aria-live="polite">
      {message ?? ''}
    </p>
  );
}

/**
 * A data table: labelled scroll region, caption (visually hidden unless `showCaption`), column
 * headers (an empty header is an actions column, named for screen readers), rows as children.
 */
export function DataTable({
  label,
  caption,
  showCaption = false,
  columns,
  compact = false,
  testId,
  children,
}: {
  label: string;
  caption?: string;
  showCaption?: boolean;
  columns: string[];
  compact?: boolean;
  testId?: string;
  children: ReactNode;
}) {
  return (
    <TableWrap label={label}>
      <table className={compact ? 'table table-compact' : 'table'} data-testid={testId}>
        <caption className={showCaption ? undefined : 'sr-only'}>{caption ?? label}</caption>
        <thead>
          <tr>
            {columns.map((c, i) => (
              <th scope="col" key={i}>
                {c === '' ? <span className="sr-only">Actions</span> : c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </TableWrap>
  );
}

/** "1–25 of 80" with Newer / Older buttons (lists are newest first). */
export function Pager({
  offset,
  shown,
  total,
  pageSize,
  onOffset,
}: {
  offset: number;
  shown: number;
  total: number;
  pageSize: number;
  onOffset: (offset: number) => void;
}) {
  return (
    <div className="pager">
      <span>
        {shown === 0 ? 0 : offset + 1}–{offset + shown} of {total}
      </span>
      <button
        type="button"
        className="btn"
        disabled={offset === 0}
        onClick={() => onOffset(Math.max(0, offset - pageSize))}
      >
        Newer
      </button>
      <button
        type="button"
        className="btn"
        disabled={offset + shown >= total}
        onClick={() => onOffset(offset + pageSize)}
      >
        Older
      </button>
    </div>
  );
}
