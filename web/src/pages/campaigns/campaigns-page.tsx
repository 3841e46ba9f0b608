import { useState, type ChangeEvent, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { get, post } from '../../api/client';
import { agentName, useAgents, useNumbers } from '../../api/queries';
import { Page, Section } from '../../ui/page';
import { QueryState, Empty } from '../../ui/states';
import { Badge, DataTable, Time } from '../../ui/widgets';
import { FormError, SelectField, TextField, fieldErrors } from '../../ui/form';

/** Campaigns (API: GET/POST /v1/campaigns, …/contacts, …/start|pause|resume|cancel, …/stats). */
interface Campaign {
  public_id: string;
  name: string;
  agent: number | null;
  from_number: string;
  timezone: string;
  daily_window_start: string;
  daily_window_end: string;
  max_attempts: number;
  status: string;
  pause_reason: string | null;
  total_count: number;
  created_at: string;
}

interface Stats {
  total: number;
  queued: number;
  in_progress: number;
  completed: number;
  failed: number;
  voicemail: number;
  no_answer: number;
  busy: number;
  cancelled: number;
  attempts: number;
  finished: number;
  status: string;
}

interface ContactsResult {
  accepted: number;
  rejected: number;
  errors: { index: number; error: string }[];
}

const ROW_ERRORS: Record<string, string> = {
  missing_phone_number: 'no phone number',
  invalid_phone_number: 'not an E.164 number (+14155550100)',
  not_an_object: 'not a contact',
  too_many_columns: 'more cells than the header (or over 50 columns)',
  invalid_variable_name: 'a column name that cannot be a variable',
  invalid_variable_value: 'a value that is not text',
  variable_too_long: 'a value over 1,000 characters',
};

const browserZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

function CreateCampaign({ onCreated }: { onCreated: (c: Campaign) => void }) {
  const agents = useAgents();
  const numbers = useNumbers();
  const qc = useQueryClient();
  const [form, setForm] = useState({
    name: '',
    agent: '',
    from_number: '',
    timezone: browserZone(),
    daily_window_start: '09:00',
    daily_window_end: '17:00',
    max_attempts: '1',
  });
  const set = (k: keyof typeof form) => (e: ChangeEvent<HTMLInputElement | HTMLSelectElement>) =>
    setForm({ ...form, [k]: e.target.value });
  const create = useMutation({
    mutationFn: () =>
      post<Campaign>('/v1/campaigns', {
        ...form,
        agent: form.agent === '' ? undefined : Number(form.agent),
        from_number: form.from_number === '' ? undefined : form.from_number,
        max_attempts: Number(form.max_attempts),
      }),
    onSuccess: (c) => {
      void qc.invalidateQueries({ queryKey: ['campaigns'] });
      onCreated(c);
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  const err = (f: string) => fieldErrors(create.error, f);
  return (
    <form onSubmit={submit} noValidate className="form-grid" aria-label="New campaign">
      <TextField label="Name" name="name" value={form.name} onChange={set('name')} errors={err('name')} />
      <SelectField label="Agent" name="agent" value={form.agent} onChange={set('agent')} errors={err('agent')}>
        <option value="">Choose an agent</option>
        {(agents.data ?? []).map((a) => (
          <option key={a.id} value={a.id}>
            {a.name}
          </option>
        ))}
      </SelectField>
      <SelectField
        label="From number"
        name="from_number"
        value={form.from_number}
        onChange={set('from_number')}
        errors={err('from_number')}
      >
        <option value="">Choose a number</option>
        {(numbers.data ?? []).map((n) => (
          <option key={n.id} value={n.number}>
            {n.number}
          </option>
        ))}
      </SelectField>
      <TextField
        label="Time zone (IANA)"
        name="timezone"
        value={form.timezone}
        onChange={set('timezone')}
        errors={err('timezone')}
      />
      <TextField
        label="Calls from (HH:MM)"
        name="daily_window_start"
        value={form.daily_window_start}
        onChange={set('daily_window_start')}
        errors={err('daily_window_start')}
      />
      <TextField
        label="Calls until (HH:MM)"
        name="daily_window_end"
        value={form.daily_window_end}
        onChange={set('daily_window_end')}
        errors={err('daily_window_end')}
      />
      <TextField
        label="Attempts per contact"
        name="max_attempts"
        type="number"
        min={1}
        max={10}
        value={form.max_attempts}
        onChange={set('max_attempts')}
        errors={err('max_attempts')}
      />
      <div>
        <button type="submit" className="btn btn-primary" disabled={create.isPending}>
          Create draft
        </button>
      </div>
      <FormError
        error={create.error}
        shownFields={[
          'name',
          'agent',
          'from_number',
          'timezone',
          'daily_window_start',
          'daily_window_end',
          'max_attempts',
        ]}
      />
    </form>
  );
}

function Progress({ stats }: { stats: Stats }) {
  const pct = stats.total === 0 ? 0 : Math.round((stats.finished / stats.total) * 100);
  return (
    <div>
      <label htmlFor="campaign-progress">
        {stats.finished} of {stats.total} contacts done ({pct} %)
      </label>
      <progress id="campaign-progress" max={Math.max(1, stats.total)} value={stats.finished} />
      <dl className="stats" data-testid="campaign-stats">
        {(
          [
            ['Queued', stats.queued],
            ['In progress', stats.in_progress],
            ['Completed', stats.completed],
            ['Voicemail', stats.voicemail],
            ['No answer', stats.no_answer],
            ['Busy', stats.busy],
            ['Failed', stats.failed],
            ['Cancelled', stats.cancelled],
            ['Calls placed', stats.attempts],
          ] as const
        ).map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
    </div>
  );
}

function CampaignDetail({ id }: { id: string }) {
  const qc = useQueryClient();
  const campaign = useQuery({
    queryKey: ['campaign', id],
    queryFn: () => get<Campaign>(`/v1/campaigns/${id}`),
    refetchInterval: (q) => (q.state.data?.status === 'running' ? 2000 : false),
  });
  const stats = useQuery({
    queryKey: ['campaign-stats', id],
    queryFn: () => get<Stats>(`/v1/campaigns/${id}/stats`),
    refetchInterval: (q) => (q.state.data?.status === 'running' ? 2000 : false),
  });
  const refresh = () => {
    void qc.invalidateQueries({ queryKey: ['campaign', id] });
    void qc.invalidateQueries({ queryKey: ['campaign-stats', id] });
    void qc.invalidateQueries({ queryKey: ['campaigns'] });
  };
  const [csv, setCsv] = useState('');
  const upload = useMutation({
    mutationFn: () => post<ContactsResult>(`/v1/campaigns/${id}/contacts`, { csv }),
    onSuccess: refresh,
  });
  const action = useMutation({
    mutationFn: (a: 'start' | 'pause' | 'resume' | 'cancel') =>
      post<Campaign>(`/v1/campaigns/${id}/${a}`, a === 'start' ? { consent_to_charge: true } : {}),
    onSuccess: refresh,
  });
  const [consent, setConsent] = useState(false);
  const onFile = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    if (file) setCsv(await file.text());
  };
  return (
    <QueryState query={campaign}>
      {(c) => (
        <Section title={`Campaign: ${c.name}`}>
          <p>
            <Badge value={c.status} /> {c.from_number} · {c.daily_window_start}–{c.daily_window_end} {c.timezone} ·{' '}
            {c.max_attempts} attempt(s)
            {c.pause_reason ? <span className="alert alert-warn"> Paused by the server: {c.pause_reason}</span> : null}
          </p>
          {stats.data ? <Progress stats={stats.data} /> : null}
          {c.status === 'draft' || c.status === 'paused' ? (
            <form
              aria-label="Upload contacts"
              onSubmit={(e) => {
                e.preventDefault();
                upload.mutate();
              }}
            >
              <TextField
                label="CSV file (header row with phone_number)"
                type="file"
                accept=".csv,text/csv"
                onChange={(e) => void onFile(e)}
              />
              <button type="submit" className="btn" disabled={csv === '' || upload.isPending}>
                Upload contacts
              </button>
              <FormError error={upload.error} />
              {upload.data ? (
                <div role="status" data-testid="upload-result">
                  <p>
                    {upload.data.accepted} accepted, {upload.data.rejected} rejected.
                  </p>
                  {upload.data.errors.length > 0 ? (
                    <ul>
                      {upload.data.errors.map((e) => (
                        <li key={e.index}>
                          Row {e.index + 2}: {ROW_ERRORS[e.error] ?? e.error} (<code>{e.error}</code>)
                        </li>
                      ))}
                    </ul>
                  ) : null}
                </div>
              ) : null}
            </form>
          ) : null}
          <div className="row">
            {c.status === 'draft' ? (
              <>
                <label>
                  <input type="checkbox" checked={consent} onChange={(e) => setConsent(e.target.checked)} /> I
                  understand that starting places real calls and spends credits
                </label>
                <button
                  type="button"
                  className="btn btn-primary"
                  disabled={!consent || action.isPending}
                  onClick={() => action.mutate('start')}
                >
                  Start
                </button>
              </>
            ) : null}
            {c.status === 'running' ? (
              <button type="button" className="btn" onClick={() => action.mutate('pause')}>
                Pause
              </button>
            ) : null}
            {c.status === 'paused' ? (
              <button type="button" className="btn" onClick={() => action.mutate('resume')}>
                Resume
              </button>
            ) : null}
            {['draft', 'running', 'paused'].includes(c.status) ? (
              <button type="button" className="btn btn-danger" onClick={() => action.mutate('cancel')}>
                Cancel campaign
              </button>
            ) : null}
          </div>
          <FormError error={action.error} />
        </Section>
      )}
    </QueryState>
  );
}

export function CampaignsPage() {
  const agents = useAgents();
  const [selected, setSelected] = useState<string | null>(null);
  const list = useQuery({
    queryKey: ['campaigns'],
    queryFn: () => get<{ results: Campaign[]; total: number }>('/v1/campaigns?limit=100'),
  });
  return (
    <Page title="Campaigns">
      <Section title="Your campaigns">
        <QueryState query={list}>
          {(l) =>
            l.results.length === 0 ? (
              <Empty>No campaigns yet: create a draft below, upload its contacts, then start it.</Empty>
            ) : (
              <DataTable
                label="Campaigns"
                testId="campaigns-table"
                columns={['Name', 'Status', 'Agent', 'From', 'Contacts', 'Created', '']}
              >
                {l.results.map((c) => (
                  <tr key={c.public_id}>
                    <th scope="row">{c.name}</th>
                    <td>
                      <Badge value={c.status} />
                    </td>
                    <td>{agentName(agents.data, c.agent)}</td>
                    <td>{c.from_number}</td>
                    <td>{c.total_count}</td>
                    <td>
                      <Time iso={c.created_at} />
                    </td>
                    <td>
                      <button
                        type="button"
                        className="btn btn-small"
                        aria-label={`Open ${c.name}`}
                        onClick={() => setSelected(c.public_id)}
                      >
                        Open
                      </button>
                    </td>
                  </tr>
                ))}
              </DataTable>
            )
          }
        </QueryState>
      </Section>
      {selected ? <CampaignDetail id={selected} /> : null}
      <Section title="New campaign">
        <CreateCampaign onCreated={(c) => setSelected(c.public_id)} />
      </Section>
    </Page>
  );
}
