import { Fragment, useState } from 'react';
import type { WebhookDelivery } from '../../api/types';
import { Badge, DataTable, Time } from '../../ui/widgets';
import { formatMs } from '../../ui/format';

/** Deliveries with status code, latency, attempts and the next retry; a row expands to its attempts. */
export function DeliveriesTable({ deliveries, label }: { deliveries: WebhookDelivery[]; label: string }) {
  const [open, setOpen] = useState<string | null>(null);
  return (
    <DataTable
      label={label}
      compact
      testId="deliveries"
      columns={['Event', 'Created', 'Status', 'HTTP', 'Latency', 'Attempts', 'Next retry', '']}
    >
      {deliveries.map((d) => {
        const last = d.history[d.history.length - 1];
        return (
          <Fragment key={d.id}>
            <tr>
              <td>
                <code>{d.event_type}</code>
                {d.target === 'legacy' ? <span className="muted"> (legacy URL)</span> : null}
              </td>
              <td>
                <Time iso={d.created_at} />
              </td>
              <td>
                <Badge value={d.status} label={d.status} />
              </td>
              <td>{d.last_status_code ?? (last?.error ? 'error' : '—')}</td>
              <td>{last ? formatMs(last.latency_ms) : '—'}</td>
              <td>{d.attempts}</td>
              <td>{d.next_attempt_at ? <Time iso={d.next_attempt_at} /> : '—'}</td>
              <td>
                {d.history.length > 0 ? (
                  <button
                    type="button"
                    className="btn btn-small"
                    aria-expanded={open === d.id}
                    onClick={() => setOpen(open === d.id ? null : d.id)}
                  >
                    {open === d.id ? 'Hide attempts' : 'Attempts'}
                  </button>
                ) : null}
              </td>
            </tr>
            {open === d.id ? (
              <tr className="subrow">
                <td colSpan={8}>
                  <ol className="attempts">
                    {d.history.map((a) => (
                      <li key={a.id}>
                        Attempt {a.attempt} at <Time iso={a.created_at} />: {a.outcome}
                        {a.status_code !== null ? `, HTTP ${a.status_code}` : ''}, {formatMs(a.latency_ms)}
                        {a.error ? ` — ${a.error}` : ''}
                      </li>
                    ))}
                  </ol>
                </td>
              </tr>
            ) : null}
          </Fragment>
        );
      })}
    </DataTable>
  );
}
