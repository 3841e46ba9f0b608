import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { del, get, patch, post, query } from '../../api/client';
import type { WebhookAttempt, WebhookDelivery, WebhookEndpoint } from '../../api/types';
import { Page, Section } from '../../ui/page';
import { QueryState } from '../../ui/states';
import { Badge, LiveMessage, SecretOnce, DataTable } from '../../ui/widgets';
import { FormError, TextField, fieldErrors } from '../../ui/form';
import { formatMs } from '../../ui/format';
import { DeliveriesTable } from './deliveries-table';

const EVENTS = [
  'telephony.incoming',
  'telephony.complete',
  'telephony.tool',
  'web.incoming',
  'web.complete',
  'web.tool',
  'call.graded',
  'issue.reported',
  'test-call.completed',
];

function CreateEndpoint({ onSecret }: { onSecret: (label: string, secret: string) => void }) {
  const qc = useQueryClient();
  const [label, setLabel] = useState('');
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<string[]>([]);
  const create = useMutation({
    mutationFn: () =>
      post<WebhookEndpoint & { secret: string }>('/v1/developer/webhook-endpoints', { label, url, events }),
    onSuccess: (ep) => {
      onSecret(`Signing secret of ${ep.label || ep.url}`, ep.secret);
      setLabel('');
      setUrl('');
      setEvents([]);
      void qc.invalidateQueries({ queryKey: ['webhook-endpoints'] });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  return (
    <form onSubmit={submit} noValidate className="form-grid" aria-label="Add an endpoint">
      <TextField
        label="Label"
        name="label"
        value={label}
        onChange={(e) => setLabel(e.target.value)}
        errors={fieldErrors(create.error, 'label')}
      />
      <TextField
        label="URL"
        name="url"
        inputMode="url"
        placeholder="https://hooks.example.com/thunderphone"
        value={url}
        onChange={(e) => setUrl(e.target.value)}
        errors={fieldErrors(create.error, 'url')}
      />
      <fieldset className="checkbox-group">
        <legend>Events (none checked: every event)</legend>
        {EVENTS.map((ev) => (
          <label key={ev} className="checkbox">
            <input
              type="checkbox"
              checked={events.includes(ev)}
              onChange={(e) => setEvents((prev) => (e.target.checked ? [...prev, ev] : prev.filter((x) => x !== ev)))}
            />{' '}
            <code>{ev}</code>
          </label>
        ))}
      </fieldset>
      <FormError error={create.error} shownFields={['label', 'url']} />
      <div className="row">
        <button type="submit" className="btn btn-primary" disabled={create.isPending}>
          Add endpoint
        </button>
      </div>
    </form>
  );
}

function EndpointRow({
  ep,
  onSecret,
  onMessage,
  onShowLog,
}: {
  ep: WebhookEndpoint;
  onSecret: (label: string, secret: string) => void;
  onMessage: (m: string) => void;
  onShowLog: (id: string) => void;
}) {
  const qc = useQueryClient();
  const refresh = () => {
    void qc.invalidateQueries({ queryKey: ['webhook-endpoints'] });
    void qc.invalidateQueries({ queryKey: ['webhook-deliveries'] });
  };
  const test = useMutation({
    mutationFn: () => post<WebhookAttempt & { success: boolean }>(`/v1/developer/webhook-endpoints/${ep.id}/test`),
    onSuccess: (r) => {
      refresh();
      onMessage(
        r.success
          ? `Test sent to ${ep.label || ep.url}: HTTP ${r.status_code ?? '?'} in ${formatMs(r.latency_ms)}.`
          : `Test to ${ep.label || ep.url} failed: ${r.error ?? `HTTP ${r.status_code ?? '?'}`} (${formatMs(r.latency_ms)}).`,
      );
    },
    onError: (e) => onMessage(e.message),
  });
  const rotate = useMutation({
    mutationFn: () => post<{ secret: string }>(`/v1/developer/webhook-endpoints/${ep.id}/rotate-secret`, {}),
    onSuccess: (r) => {
      refresh();
      onSecret(`New signing secret of ${ep.label || ep.url} (the old one keeps signing for 24 h)`, r.secret);
    },
  });
  const toggle = useMutation({
    mutationFn: () =>
      patch(`/v1/developer/webhook-endpoints/${ep.id}`, { status: ep.status === 'disabled' ? 'active' : 'disabled' }),
    onSuccess: refresh,
  });
  const remove = useMutation({ mutationFn: () => del(`/v1/developer/webhook-endpoints/${ep.id}`), onSuccess: refresh });
  return (
    <tr>
      <th scope="row">{ep.label || '—'}</th>
      <td className="break">{ep.url}</td>
      <td>{ep.events.length === 0 ? 'All' : ep.events.join(', ')}</td>
      <td>
        <Badge value={ep.status} label={ep.status} />
      </td>
      <td>
        <code>{ep.secret_hint}</code>
      </td>
      <td className="actions">
        <button type="button" className="btn btn-small" onClick={() => test.mutate()} disabled={test.isPending}>
          {test.isPending ? 'Sending…' : 'Send test'}
        </button>
        <button type="button" className="btn btn-small" onClick={() => rotate.mutate()}>
          Rotate secret
        </button>
        <button type="button" className="btn btn-small" onClick={() => toggle.mutate()}>
          {ep.status === 'disabled' ? 'Enable' : 'Disable'}
        </button>
        <button type="button" className="btn btn-small" onClick={() => onShowLog(ep.id)}>
          Deliveries
        </button>
        <button
          type="button"
          className="btn btn-small btn-danger"
          onClick={() => {
            if (window.confirm(`Delete the endpoint ${ep.url}? Pending retries are cancelled.`)) remove.mutate();
          }}
        >
          Delete
        </button>
      </td>
    </tr>
  );
}

export function WebhooksPage() {
  const endpoints = useQuery({
    queryKey: ['webhook-endpoints'],
    queryFn: () => get<WebhookEndpoint[]>('/v1/developer/webhook-endpoints'),
  });
  const [endpointFilter, setEndpointFilter] = useState<string | undefined>(undefined);
  const deliveries = useQuery({
    queryKey: ['webhook-deliveries', endpointFilter],
    queryFn: () =>
      get<WebhookDelivery[]>(`/v1/developer/webhook-deliveries${query({ endpoint_id: endpointFilter, limit: 50 })}`),
    refetchInterval: 15_000,
  });
  const [secret, setSecret] = useState<{ label: string; value: string } | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const onSecret = (label: string, value: string) => setSecret({ label, value });
  const filterName = endpoints.data?.find((e) => e.id === endpointFilter);

  return (
    <Page title="Webhooks">
      {secret ? <SecretOnce label={secret.label} value={secret.value} onDone={() => setSecret(null)} /> : null}
      <LiveMessage message={message} />
      <Section title="Endpoints">
        <QueryState query={endpoints} empty={<p>No endpoints: add one below to receive signed call events.</p>}>
          {(list) => (
            <DataTable label="Webhook endpoints" columns={['Label', 'URL', 'Events', 'Status', 'Secret', '']}>
              {list.map((ep) => (
                <EndpointRow
                  key={ep.id}
                  ep={ep}
                  onSecret={onSecret}
                  onMessage={setMessage}
                  onShowLog={setEndpointFilter}
                />
              ))}
            </DataTable>
          )}
        </QueryState>
        <h3>Add an endpoint</h3>
        <CreateEndpoint onSecret={onSecret} />
      </Section>
      <Section
        title="Delivery log"
        actions={
          endpointFilter ? (
            <button type="button" className="btn btn-small" onClick={() => setEndpointFilter(undefined)}>
              Show all endpoints
            </button>
          ) : null
        }
      >
        {filterName ? <p>Only {filterName.label || filterName.url}.</p> : null}
        <QueryState query={deliveries} empty={<p>Nothing delivered yet.</p>}>
          {(d) => <DeliveriesTable deliveries={d} label="Webhook deliveries" />}
        </QueryState>
      </Section>
    </Page>
  );
}
