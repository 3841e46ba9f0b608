import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { del, get, patch, post } from '../../api/client';
import type { PhoneNumber, VoipConnection } from '../../api/types';
import { useAgents, useNumbers } from '../../api/queries';
import { Link } from '../../router/router';
import { Page, Section } from '../../ui/page';
import { QueryState } from '../../ui/states';
import { Badge, LiveMessage, DataTable, Time } from '../../ui/widgets';
import { FormError, TextField } from '../../ui/form';
import { humanize } from '../../ui/format';

function AgentSelect({
  label,
  value,
  onChange,
  disabled,
}: {
  label: string;
  value: number | null;
  onChange: (v: number | null) => void;
  disabled?: boolean;
}) {
  const agents = useAgents();
  return (
    <select
      aria-label={label}
      value={value ?? ''}
      disabled={disabled}
      onChange={(e) => onChange(e.target.value === '' ? null : Number(e.target.value))}
    >
      <option value="">None</option>
      {(agents.data ?? []).map((a) => (
        <option key={a.id} value={a.id}>
          {a.name}
        </option>
      ))}
    </select>
  );
}

function NumberRow({ n, onMessage }: { n: PhoneNumber; onMessage: (m: string) => void }) {
  const qc = useQueryClient();
  const refresh = () => void qc.invalidateQueries({ queryKey: ['numbers'] });
  const update = useMutation({
    mutationFn: (body: Record<string, unknown>) => patch<PhoneNumber>(`/v1/phone-numbers/${n.id}`, body),
    onSuccess: () => {
      refresh();
      onMessage(`${n.number} updated.`);
    },
    onError: (e) => onMessage(`${n.number}: ${e.message}`),
  });
  const verify = useMutation({
    mutationFn: () => post<PhoneNumber>(`/v1/phone-numbers/${n.id}/verify-voip`),
    onSuccess: (r) => {
      refresh();
      onMessage(
        r.voip_verification_status === 'verified'
          ? `${n.number} is verified: it can place outbound calls.`
          : `${n.number} failed verification: ${r.voip_verification_error ?? 'unknown reason'}`,
      );
    },
    onError: (e) => onMessage(`${n.number}: ${e.message}`),
  });
  const release = useMutation({
    mutationFn: () => del(`/v1/phone-numbers/${n.id}`),
    onSuccess: () => {
      refresh();
      onMessage(`${n.number} released.`);
    },
  });
  return (
    <tr>
      <th scope="row" className="nowrap">
        {n.number}
        {n.label ? <span className="muted"> {n.label}</span> : null}
      </th>
      <td>{n.source === 'demo' ? 'Demo (inbound only)' : 'Your trunk'}</td>
      <td>
        <Badge value={n.status} label={humanize(n.status)} />
        {n.source === 'voip' ? (
          <>
            {' '}
            <Badge
              value={n.voip_verification_status ?? 'unverified'}
              label={humanize(n.voip_verification_status ?? 'unverified')}
            />
          </>
        ) : null}
        {n.voip_verification_error ? <p className="field-errors">{n.voip_verification_error}</p> : null}
      </td>
      <td>
        <AgentSelect
          label={`Inbound agent of ${n.number}`}
          value={n.inbound_agent_id}
          onChange={(v) => update.mutate({ inbound_agent_id: v })}
        />
      </td>
      <td>
        <AgentSelect
          label={`Outbound agent of ${n.number}`}
          value={n.outbound_agent_id}
          disabled={n.source !== 'voip'}
          onChange={(v) => update.mutate({ outbound_agent_id: v })}
        />
      </td>
      <td className="actions">
        {n.source === 'voip' ? (
          <button type="button" className="btn btn-small" onClick={() => verify.mutate()} disabled={verify.isPending}>
            {verify.isPending ? 'Verifying…' : 'Verify'}
          </button>
        ) : null}
        <button
          type="button"
          className="btn btn-small btn-danger"
          onClick={() => {
            if (window.confirm(`Release ${n.number}?`)) release.mutate();
          }}
        >
          Release
        </button>
      </td>
    </tr>
  );
}

function DemoNumberForm() {
  const qc = useQueryClient();
  const [areaCode, setAreaCode] = useState('');
  const get1 = useMutation({
    mutationFn: () => post<PhoneNumber>('/v1/phone-numbers', areaCode ? { area_code: areaCode } : {}),
    onSuccess: () => {
      setAreaCode('');
      void qc.invalidateQueries({ queryKey: ['numbers'] });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    get1.mutate();
  };
  return (
    <form onSubmit={submit} className="inline-form" noValidate>
      <TextField
        label="Area code (optional)"
        name="area_code"
        inputMode="numeric"
        value={areaCode}
        onChange={(e) => setAreaCode(e.target.value)}
      />
      <button type="submit" className="btn" disabled={get1.isPending}>
        Get a demo number
      </button>
      <FormError error={get1.error} />
    </form>
  );
}

function Connections() {
  const qc = useQueryClient();
  const conns = useQuery({
    queryKey: ['voip-connections'],
    queryFn: () => get<VoipConnection[]>('/v1/voip-connections'),
  });
  const remove = useMutation({
    mutationFn: (id: number) => del(`/v1/voip-connections/${id}`),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['voip-connections'] });
      void qc.invalidateQueries({ queryKey: ['numbers'] });
    },
  });
  return (
    <QueryState
      query={conns}
      empty={
        <p>
          No SIP trunk yet. <Link to="/numbers/trunk">Connect your trunk</Link> to bring your numbers and call out.
        </p>
      }
    >
      {(list) => (
        <DataTable label="VoIP connections" columns={['Name', 'Trunk', 'Status', 'Numbers', 'Last tested', '']}>
          {list.map((c) => (
            <tr key={c.id}>
              <th scope="row">{c.name}</th>
              <td className="nowrap">
                {c.provider === 'manual'
                  ? `${String(c.sip_config.host ?? '?')}:${String(c.sip_config.port ?? 5060)} (${String(c.sip_config.transport ?? 'udp').toUpperCase()})`
                  : c.provider}
              </td>
              <td>
                <Badge value={c.status} label={humanize(c.status)} />
              </td>
              <td>{c.numbers_imported}</td>
              <td>
                <Time iso={c.last_tested_at} />
              </td>
              <td>
                <button
                  type="button"
                  className="btn btn-small btn-danger"
                  onClick={() => {
                    if (window.confirm(`Delete the connection "${c.name}"? Its numbers are released.`))
                      remove.mutate(c.id);
                  }}
                >
                  Delete
                </button>
              </td>
            </tr>
          ))}
        </DataTable>
      )}
    </QueryState>
  );
}

export function NumbersPage() {
  const numbers = useNumbers();
  const [message, setMessage] = useState<string | null>(null);
  return (
    <Page
      title="Numbers"
      actions={
        <Link to="/numbers/trunk" className="btn btn-primary">
          Connect a SIP trunk
        </Link>
      }
    >
      <Section title="Phone numbers">
        <LiveMessage message={message} />
        <QueryState
          query={numbers}
          empty={<p>No numbers yet: connect a trunk and import yours, or get a demo number.</p>}
        >
          {(list) => (
            <DataTable
              label="Phone numbers"
              caption="Phone numbers, with their agents"
              testId="numbers-table"
              columns={['Number', 'Source', 'Status', 'Inbound agent', 'Outbound agent', '']}
            >
              {list.map((n) => (
                <NumberRow key={n.id} n={n} onMessage={setMessage} />
              ))}
            </DataTable>
          )}
        </QueryState>
        <DemoNumberForm />
      </Section>
      <Section title="SIP trunks (VoIP connections)">
        <Connections />
      </Section>
    </Page>
  );
}
