import type { ReactNode } from 'react';
import { useQuery } from '@tanstack/react-query';
import { get } from '../../api/client';
import type { Call, CallMetrics, HistoryEntry, LedgerEntry, TranscriptTurn, WebhookDelivery } from '../../api/types';
import { callKeys } from '../../api/live-calls';
import { agentName, useAgents } from '../../api/queries';
import { Link } from '../../router/router';
import { Page, Section } from '../../ui/page';
import { QueryState } from '../../ui/states';
import { Badge, DataTable, Time } from '../../ui/widgets';
import { formatCents, formatDuration, formatMs, formatTime, humanize } from '../../ui/format';
import { TranscriptView } from './transcript-view';
import { RecordingPlayer } from './recording-player';
import { LatencyChart } from './latency-chart';
import { answeredByLabel } from './answered-by-label';
import { DeliveriesTable } from '../webhooks/deliveries-table';

function Timeline({ history }: { history: HistoryEntry[] }) {
  const events = history.filter((h): h is Extract<HistoryEntry, { kind: 'event' }> => h.kind === 'event');
  return (
    <ol className="timeline">
      {events.map((e, i) => (
        <li key={i}>
          <time dateTime={e.at}>{formatTime(e.at)}</time>{' '}
          <span className="timeline-type">{humanize(e.type.replace(/^call\./, ''))}</span>
          {Object.keys(e.data).length > 0 ? (
            <span className="muted">
              {' '}
              {Object.entries(e.data)
                .filter(([, v]) => v !== null && v !== undefined && v !== '')
                .map(([k, v]) => `${humanize(k)}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
                .join(' · ')}
            </span>
          ) : null}
        </li>
      ))}
    </ol>
  );
}

function Facts({ call, agent }: { call: Call; agent: string }) {
  const answeredBy = answeredByLabel(call);
  const rows: [string, ReactNode][] = [
    [
      'Status',
      <>
        <Badge value={call.status} />
        {call.end_reason ? ` ${humanize(call.end_reason)}` : ''}
      </>,
    ],
    ['Direction', humanize(call.direction)],
    ['From', call.from_number],
    ['To', call.to_number],
    ['Agent', call.agent_id !== null ? <Link to={`/agents/${call.agent_id}`}>{agent}</Link> : 'Inline configuration'],
    ['Created', <Time iso={call.created_at} />],
    ['Started', <Time iso={call.start_time} />],
    ['Ended', <Time iso={call.end_time} />],
    ['Talk time', formatDuration(call.duration_seconds)],
    ['Product', call.product ?? '—'],
    ['Voice', call.voice ?? '—'],
    ...(call.transfer_number ? ([['Transferred to', call.transfer_number]] as [string, ReactNode][]) : []),
    ...(answeredBy ? ([['Answered by', answeredBy]] as [string, ReactNode][]) : []),
  ];
  return (
    <dl className="facts">
      {rows.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

export function CallPage({ id }: { id: number }) {
  const call = useQuery({ queryKey: callKeys.one(id), queryFn: () => get<Call>(`/v1/calls/${id}`) });
  const running = call.data?.status === 'in_progress';
  const ended = call.data !== undefined && !running;
  const transcript = useQuery({
    queryKey: callKeys.part(id, 'transcript'),
    queryFn: () => get<{ transcripts: TranscriptTurn[] }>(`/v1/calls/${id}/transcript`).then((r) => r.transcripts),
    enabled: call.isSuccess,
  });
  const history = useQuery({
    queryKey: callKeys.part(id, 'history'),
    queryFn: () => get<{ history: HistoryEntry[] }>(`/v1/calls/${id}/history`).then((r) => r.history),
    enabled: call.isSuccess,
  });
  const metrics = useQuery({
    queryKey: callKeys.part(id, 'metrics'),
    queryFn: () => get<CallMetrics>(`/v1/calls/${id}/metrics`),
    enabled: ended,
  });
  const ledger = useQuery({
    queryKey: callKeys.part(id, 'ledger'),
    queryFn: () => get<LedgerEntry[]>(`/v1/calls/${id}/ledger-entries`),
    enabled: ended,
  });
  const deliveries = useQuery({
    queryKey: callKeys.part(id, 'deliveries'),
    queryFn: () => get<WebhookDelivery[]>(`/v1/calls/${id}/webhook-deliveries`),
    enabled: call.isSuccess,
  });
  const agents = useAgents();

  return (
    <Page title={`Call #${id}`} actions={<Link to="/calls">All calls</Link>}>
      <QueryState query={call} loadingLabel="Loading the call…">
        {(c) => (
          <div className="call-grid">
            <Section title="Summary">
              <Facts call={c} agent={agentName(agents.data, c.agent_id)} />
              {running ? (
                <p className="alert alert-info" role="status">
                  This call is in progress: its status and transcript update live.
                </p>
              ) : null}
            </Section>

            {c.grade_status !== null || c.grade_score !== null || c.summary !== null ? (
              <Section title="Grade and summary">
                <dl className="facts">
                  {c.grade_score !== null ? (
                    <div>
                      <dt>Grade</dt>
                      <dd>
                        {c.grade_score} {c.grade_status ? `(${humanize(c.grade_status)})` : ''}
                      </dd>
                    </div>
                  ) : c.grade_status ? (
                    <div>
                      <dt>Grade</dt>
                      <dd>{humanize(c.grade_status)}</dd>
                    </div>
                  ) : null}
                  {c.extracted_data ? (
                    <div>
                      <dt>Extracted data</dt>
                      <dd>
                        <code>{JSON.stringify(c.extracted_data)}</code>
                      </dd>
                    </div>
                  ) : null}
                  <div>
                    <dt>Issues</dt>
                    <dd>
                      {c.issue_count} ({c.critical_issue_count} critical)
                    </dd>
                  </div>
                </dl>
                {c.summary ? <p>{c.summary}</p> : null}
              </Section>
            ) : null}

            <Section title="Recording">
              {c.recording_url ? (
                <RecordingPlayer url={c.recording_url} />
              ) : (
                <p className="muted">
                  {running ? 'The recording is available when the call ends.' : 'This call has no recording.'}
                </p>
              )}
            </Section>

            <Section title="Transcript">
              <QueryState
                query={transcript}
                empty={<p>{running ? 'Waiting for the first words…' : 'Nothing was said on this call.'}</p>}
              >
                {(turns) => <TranscriptView turns={turns} live={running} />}
              </QueryState>
            </Section>

            <Section title="Timeline">
              <QueryState query={history} empty={<p>No events yet.</p>}>
                {(h) => <Timeline history={h} />}
              </QueryState>
            </Section>

            <Section title="Latency per turn">
              {running ? (
                <p className="muted">Shown when the call ends.</p>
              ) : (
                <QueryState
                  query={metrics}
                  isEmpty={(m) => m.turns.length === 0}
                  empty={<p>No caller turn was answered.</p>}
                >
                  {(m) => (
                    <>
                      <p>Answer to first agent audio: {formatMs(m.answer_to_first_audio_ms)}</p>
                      <LatencyChart turns={m.turns} />
                    </>
                  )}
                </QueryState>
              )}
            </Section>

            <Section title="Cost">
              <dl className="facts">
                <div>
                  <dt>Billable minutes</dt>
                  <dd>{c.billable_minutes ?? '—'}</dd>
                </div>
                <div>
                  <dt>Total</dt>
                  <dd>{formatCents(c.billing_total_cents)}</dd>
                </div>
              </dl>
              {ended ? (
                <QueryState
                  query={ledger}
                  empty={<p className="muted">No balance change: calls that never connect cost nothing.</p>}
                >
                  {(entries) => (
                    <DataTable
                      label="Ledger entries of this call"
                      caption="Ledger"
                      showCaption
                      compact
                      columns={['When', 'Description', 'Amount', 'Balance after']}
                    >
                      {entries.map((e) => (
                        <tr key={e.id}>
                          <td>
                            <Time iso={e.created_at} />
                          </td>
                          <td>{e.description}</td>
                          <td>{formatCents(e.amount_cents)}</td>
                          <td>{formatCents(e.balance_after_cents)}</td>
                        </tr>
                      ))}
                    </DataTable>
                  )}
                </QueryState>
              ) : null}
            </Section>

            <Section title="Webhook deliveries">
              <QueryState query={deliveries} empty={<p className="muted">No webhook was sent for this call (yet).</p>}>
                {(d) => <DeliveriesTable deliveries={d} label="Webhook deliveries of this call" />}
              </QueryState>
            </Section>
          </div>
        )}
      </QueryState>
    </Page>
  );
}
