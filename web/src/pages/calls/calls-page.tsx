import { useState, type FormEvent } from 'react';
import { useQuery } from '@tanstack/react-query';
import { get, query } from '../../api/client';
import type { Call, Page as PageOf } from '../../api/types';
import { callKeys } from '../../api/live-calls';
import { agentName, useAgents } from '../../api/queries';
import { Link, navigate, useLocation } from '../../router/router';
import { Page } from '../../ui/page';
import { QueryState } from '../../ui/states';
import { Badge, DataTable, Pager, Time } from '../../ui/widgets';
import { formatCents, formatDuration, humanize, localInputToIso, timeZoneName } from '../../ui/format';
import { SelectField, TextField } from '../../ui/form';
import { PlaceCallDialog } from './place-call-dialog';

const PAGE_SIZE = 25;
const FILTERS = ['status', 'direction', 'agent_id', 'from', 'to'] as const;

export function CallsPage() {
  const { search } = useLocation();
  const filters = Object.fromEntries(FILTERS.map((k) => [k, search.get(k) ?? ''])) as Record<
    (typeof FILTERS)[number],
    string
  >;
  const offset = Number(search.get('offset') ?? 0) || 0;
  const params = {
    status: filters.status || undefined,
    direction: filters.direction || undefined,
    agent_id: filters.agent_id || undefined,
    start_date: localInputToIso(filters.from),
    end_date: localInputToIso(filters.to),
    limit: PAGE_SIZE,
    offset,
  };
  const calls = useQuery({
    queryKey: callKeys.list(params),
    queryFn: () => get<PageOf<Call>>(`/v1/calls${query(params)}`),
  });
  const agents = useAgents();
  const [placing, setPlacing] = useState(false);

  const setFilters = (next: Record<string, string>, nextOffset = 0) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(next)) if (v) q.set(k, v);
    if (nextOffset > 0) q.set('offset', String(nextOffset));
    navigate(`/calls${q.toString() ? `?${q.toString()}` : ''}`, { replace: true });
  };
  const onFilter = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const data = new FormData(e.currentTarget);
    setFilters(Object.fromEntries(FILTERS.map((k) => [k, String(data.get(k) ?? '')])));
  };

  return (
    <Page
      title="Calls"
      actions={
        <button type="button" className="btn btn-primary" onClick={() => setPlacing(true)}>
          Place a call
        </button>
      }
    >
      <form className="filters card" onSubmit={onFilter} aria-label="Filter calls" key={search.toString()}>
        <SelectField label="Status" name="status" defaultValue={filters.status}>
          <option value="">Any</option>
          <option value="in_progress">In progress</option>
          <option value="completed">Completed</option>
          <option value="failed">Failed</option>
        </SelectField>
        <SelectField label="Direction" name="direction" defaultValue={filters.direction}>
          <option value="">Any</option>
          <option value="outbound">Outbound</option>
          <option value="inbound">Inbound</option>
        </SelectField>
        <SelectField label="Agent" name="agent_id" defaultValue={filters.agent_id}>
          <option value="">Any</option>
          {(agents.data ?? []).map((a) => (
            <option key={a.id} value={a.id}>
              {a.name}
            </option>
          ))}
        </SelectField>
        <TextField label={`From (${timeZoneName()})`} name="from" type="datetime-local" defaultValue={filters.from} />
        <TextField label="To" name="to" type="datetime-local" defaultValue={filters.to} />
        <div className="filters-actions">
          <button type="submit" className="btn">
            Apply filters
          </button>
          <button type="button" className="btn btn-quiet" onClick={() => setFilters({})}>
            Clear
          </button>
        </div>
      </form>

      <QueryState
        query={calls}
        isEmpty={(p) => p.results.length === 0}
        empty={
          Object.values(filters).some(Boolean) ? (
            <p>No call matches these filters.</p>
          ) : (
            <p>
              No calls yet. Set up a number on <Link to="/numbers">Numbers</Link>, then place a call.
            </p>
          )
        }
        loadingLabel="Loading calls…"
      >
        {(page) => (
          <>
            <DataTable
              label="Calls"
              caption="Calls, newest first. Status updates live."
              testId="calls-table"
              columns={['Call', 'Created', 'Direction', 'From → To', 'Agent', 'Status', 'Duration', 'Cost']}
            >
              {page.results.map((c) => (
                <tr key={c.call_id} data-call-id={c.call_id}>
                  <td>
                    <Link to={`/calls/${c.call_id}`}>#{c.call_id}</Link>
                  </td>
                  <td>
                    <Time iso={c.created_at} />
                  </td>
                  <td>{humanize(c.direction)}</td>
                  <td className="nowrap">
                    {c.from_number} → {c.to_number}
                  </td>
                  <td>{agentName(agents.data, c.agent_id)}</td>
                  <td>
                    <Badge value={c.status} />
                    {c.end_reason ? <span className="muted"> {humanize(c.end_reason)}</span> : null}
                  </td>
                  <td>{formatDuration(c.duration_seconds)}</td>
                  <td>{formatCents(c.billing_total_cents)}</td>
                </tr>
              ))}
            </DataTable>
            <Pager
              offset={page.offset}
              shown={page.results.length}
              total={page.total}
              pageSize={PAGE_SIZE}
              onOffset={(o) => setFilters(filters, o)}
            />
          </>
        )}
      </QueryState>
      <PlaceCallDialog open={placing} onClose={() => setPlacing(false)} />
    </Page>
  );
}
