import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { del, get, post } from '../../api/client';
import type { ApiKey } from '../../api/types';
import { useSignedIn } from '../../session/session';
import { Page, Section } from '../../ui/page';
import { QueryState } from '../../ui/states';
import { Badge, Dialog, SecretOnce, DataTable, Time } from '../../ui/widgets';
import { FormError, TextField, fieldErrors } from '../../ui/form';

export function ApiKeysPage() {
  const session = useSignedIn();
  const qc = useQueryClient();
  const keys = useQuery({ queryKey: ['api-keys'], queryFn: () => get<ApiKey[]>('/v1/developer/api-keys') });
  const [name, setName] = useState('');
  const [created, setCreated] = useState<{ name: string; key: string } | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const create = useMutation({
    mutationFn: () =>
      post<ApiKey & { key: string }>('/v1/developer/api-keys', name.trim() ? { name: name.trim() } : {}),
    onSuccess: (k) => {
      setCreated({ name: k.name, key: k.key });
      setName('');
      void qc.invalidateQueries({ queryKey: ['api-keys'] });
    },
  });
  const revoke = useMutation({
    mutationFn: (id: string) => del(`/v1/developer/api-keys/${id}`),
    onSuccess: () => {
      setRevoking(null);
      // Revoking the key this console uses ends the session at the next request.
      void qc.invalidateQueries({ queryKey: ['api-keys'] });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  const current = session.api_key?.id;
  return (
    <Page title="API keys">
      {created ? (
        <SecretOnce label={`API key "${created.name}"`} value={created.key} onDone={() => setCreated(null)} />
      ) : null}
      <Section title="Keys">
        <QueryState query={keys}>
          {(list) => (
            <DataTable
              label="API keys"
              caption="API keys, newest first"
              testId="keys-table"
              columns={['Name', 'Key', 'Status', 'Created', 'Last used', '']}
            >
              {list.map((k) => (
                <tr key={k.id}>
                  <th scope="row">
                    {k.name}
                    {k.id === current ? <span className="muted"> (this session)</span> : null}
                  </th>
                  <td>
                    <code>{k.key_prefix}…</code>
                  </td>
                  <td>
                    {k.is_active ? <Badge value="active" label="Active" /> : <Badge value="revoked" label="Revoked" />}
                  </td>
                  <td>
                    <Time iso={k.created_at} />
                  </td>
                  <td>
                    <Time iso={k.last_used_at} />
                  </td>
                  <td>
                    {k.is_active ? (
                      <button
                        type="button"
                        className="btn btn-small btn-danger"
                        onClick={() => setRevoking(k)}
                        aria-label={`Revoke ${k.name}`}
                      >
                        Revoke
                      </button>
                    ) : null}
                  </td>
                </tr>
              ))}
            </DataTable>
          )}
        </QueryState>
      </Section>
      <Section title="Create a key">
        <form onSubmit={submit} noValidate className="inline-form">
          <TextField
            label="Name"
            name="name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            errors={fieldErrors(create.error, 'name')}
            placeholder="CI"
          />
          <button type="submit" className="btn btn-primary" disabled={create.isPending}>
            Create key
          </button>
          <FormError error={create.error} shownFields={['name']} />
        </form>
      </Section>
      <Dialog open={revoking !== null} title="Revoke this key?" onClose={() => setRevoking(null)}>
        {revoking ? (
          <>
            <p>
              <strong>{revoking.name}</strong> (<code>{revoking.key_prefix}…</code>) stops working at once, for every
              program that uses it.
            </p>
            {revoking.id === current ? (
              <p className="alert alert-warn">This is the key this console session uses: you will be signed out.</p>
            ) : null}
            <FormError error={revoke.error} />
            <div className="row">
              <button
                type="button"
                className="btn btn-danger"
                onClick={() => revoke.mutate(revoking.id)}
                disabled={revoke.isPending}
              >
                Revoke key
              </button>
              <button type="button" className="btn btn-quiet" onClick={() => setRevoking(null)}>
                Cancel
              </button>
            </div>
          </>
        ) : null}
      </Dialog>
    </Page>
  );
}
