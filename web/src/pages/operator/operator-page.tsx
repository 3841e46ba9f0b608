import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { get, post } from '../../api/client';
import type { AdminOrg } from '../../api/types';
import { Page, Section } from '../../ui/page';
import { QueryState } from '../../ui/states';
import { Dialog, LiveMessage, SecretOnce, DataTable, Time } from '../../ui/widgets';
import { FormError, TextField, fieldErrors } from '../../ui/form';
import { dollarsToCents, formatCents } from '../../ui/format';

function CreditDialog({
  org,
  onClose,
  onDone,
}: {
  org: AdminOrg | null;
  onClose: () => void;
  onDone: (m: string) => void;
}) {
  const qc = useQueryClient();
  const [amount, setAmount] = useState('');
  const [description, setDescription] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const credit = useMutation({
    mutationFn: (cents: number) =>
      post(`/admin/v1/orgs/${org?.id}/credits`, { amount_cents: cents, ...(description ? { description } : {}) }),
    onSuccess: (_r, cents) => {
      void qc.invalidateQueries({ queryKey: ['admin-orgs'] });
      onDone(`${formatCents(cents)} ${cents < 0 ? 'removed from' : 'added to'} ${org?.name}.`);
      setAmount('');
      setDescription('');
      onClose();
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const cents = dollarsToCents(amount);
    if (cents === undefined || cents === 0)
      return setProblem('An amount in dollars, e.g. 25 or 25.50 (negative removes credit).');
    setProblem(null);
    credit.mutate(cents);
  };
  return (
    <Dialog open={org !== null} title={`Credit ${org?.name ?? ''}`} onClose={onClose}>
      <form onSubmit={submit} noValidate>
        <TextField
          label="Amount (USD)"
          name="amount"
          inputMode="decimal"
          value={amount}
          onChange={(e) => setAmount(e.target.value)}
          errors={[...(problem ? [problem] : []), ...fieldErrors(credit.error, 'amount_cents')]}
        />
        <TextField
          label="Description"
          name="description"
          value={description}
          onChange={(e) => setDescription(e.target.value)}
          placeholder="Invoice 42"
        />
        <FormError error={credit.error} shownFields={['amount_cents']} />
        <button type="submit" className="btn btn-primary" disabled={credit.isPending}>
          Add credit
        </button>
      </form>
    </Dialog>
  );
}

export function OperatorPage() {
  const qc = useQueryClient();
  const orgs = useQuery({ queryKey: ['admin-orgs'], queryFn: () => get<AdminOrg[]>('/admin/v1/orgs') });
  const [name, setName] = useState('');
  const [balance, setBalance] = useState('10');
  const [trial, setTrial] = useState(false);
  const [created, setCreated] = useState<{ name: string; key: string } | null>(null);
  const [crediting, setCrediting] = useState<AdminOrg | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const create = useMutation({
    mutationFn: (cents: number) =>
      post<{ org: AdminOrg; api_key: string }>('/admin/v1/orgs', { name, balance_cents: cents, trial }),
    onSuccess: (r) => {
      setCreated({ name: r.org.name, key: r.api_key });
      setName('');
      void qc.invalidateQueries({ queryKey: ['admin-orgs'] });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const cents = dollarsToCents(balance || '0');
    if (cents === undefined || cents < 0) return setProblem('An opening balance in dollars, e.g. 10.');
    setProblem(null);
    create.mutate(cents);
  };
  return (
    <Page title="Organizations">
      {created ? (
        <SecretOnce label={`API key of ${created.name}`} value={created.key} onDone={() => setCreated(null)} />
      ) : null}
      <LiveMessage message={message} />
      <Section title="All organizations">
        <QueryState query={orgs} empty={<p>No organizations.</p>}>
          {(list) => (
            <DataTable
              label="Organizations"
              caption="Organizations and their balances"
              testId="orgs-table"
              columns={['Id', 'Name', 'Trial', 'Balance', 'Created', '']}
            >
              {list.map((o) => (
                <tr key={o.id}>
                  <td>{o.id}</td>
                  <th scope="row">{o.name}</th>
                  <td>{o.trial ? 'Yes' : 'No'}</td>
                  <td className={o.balance_cents <= 0 ? 'neg' : ''}>{formatCents(o.balance_cents)}</td>
                  <td>
                    <Time iso={o.created_at} />
                  </td>
                  <td>
                    <button
                      type="button"
                      className="btn btn-small"
                      onClick={() => setCrediting(o)}
                      aria-label={`Add credit to ${o.name}`}
                    >
                      Add credit
                    </button>
                  </td>
                </tr>
              ))}
            </DataTable>
          )}
        </QueryState>
      </Section>
      <Section title="New organization">
        <form onSubmit={submit} noValidate className="form-grid">
          <TextField
            label="Name"
            name="name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            errors={fieldErrors(create.error, 'name')}
          />
          <TextField
            label="Opening balance (USD)"
            name="balance"
            inputMode="decimal"
            value={balance}
            onChange={(e) => setBalance(e.target.value)}
            errors={[...(problem ? [problem] : []), ...fieldErrors(create.error, 'balance_cents')]}
          />
          <label className="checkbox">
            <input type="checkbox" checked={trial} onChange={(e) => setTrial(e.target.checked)} /> Trial organization
            (no outbound calls)
          </label>
          <FormError error={create.error} shownFields={['name', 'balance_cents']} />
          <div className="row">
            <button type="submit" className="btn btn-primary" disabled={create.isPending}>
              Create organization
            </button>
          </div>
        </form>
      </Section>
      <CreditDialog org={crediting} onClose={() => setCrediting(null)} onDone={setMessage} />
    </Page>
  );
}
