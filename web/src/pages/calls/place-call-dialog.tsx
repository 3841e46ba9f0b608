import { useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { post } from '../../api/client';
import { useAgents, useNumbers } from '../../api/queries';
import { navigate, Link } from '../../router/router';
import { Dialog } from '../../ui/widgets';
import { FormError, SelectField, TextField, fieldErrors } from '../../ui/form';

/** POST /v1/call from one of the org's verified VoIP numbers, then open the call's page. */
export function PlaceCallDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const numbers = useNumbers();
  const agents = useAgents();
  const qc = useQueryClient();
  const eligible = (numbers.data ?? []).filter((n) => n.outbound_eligible);
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [agentId, setAgentId] = useState('');
  const place = useMutation({
    mutationFn: () =>
      post<{ call_id: number }>('/v1/call', {
        from_number: from || eligible[0]?.number,
        to_number: to.trim(),
        ...(agentId ? { agent_id: Number(agentId) } : {}),
      }),
    onSuccess: (r) => {
      void qc.invalidateQueries({ queryKey: ['calls'] });
      onClose();
      navigate(`/calls/${r.call_id}`);
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    place.mutate();
  };
  return (
    <Dialog open={open} title="Place a call" onClose={onClose}>
      {numbers.isSuccess && eligible.length === 0 ? (
        <p>
          Calls go out through a verified number of your own SIP trunk. <Link to="/numbers/trunk">Connect a trunk</Link>{' '}
          and verify a number first.
        </p>
      ) : (
        <form onSubmit={submit} noValidate>
          <SelectField
            label="From"
            name="from_number"
            value={from || eligible[0]?.number || ''}
            onChange={(e) => setFrom(e.target.value)}
            errors={fieldErrors(place.error, 'from_number')}
          >
            {eligible.map((n) => (
              <option key={n.id} value={n.number}>
                {n.number}
                {n.label ? ` (${n.label})` : ''}
              </option>
            ))}
          </SelectField>
          <TextField
            label="To"
            name="to_number"
            inputMode="tel"
            placeholder="+15551234567"
            hint="E.164: + and the country code."
            value={to}
            onChange={(e) => setTo(e.target.value)}
            errors={fieldErrors(place.error, 'to_number')}
          />
          <SelectField
            label="Agent"
            name="agent_id"
            value={agentId}
            onChange={(e) => setAgentId(e.target.value)}
            hint="Empty: the number's outbound agent."
            errors={fieldErrors(place.error, 'agent_id')}
          >
            <option value="">The number&apos;s outbound agent</option>
            {(agents.data ?? []).map((a) => (
              <option key={a.id} value={a.id}>
                {a.name}
              </option>
            ))}
          </SelectField>
          <FormError error={place.error} shownFields={['from_number', 'to_number', 'agent_id']} />
          <div className="row">
            <button type="submit" className="btn btn-primary" disabled={place.isPending}>
              {place.isPending ? 'Placing…' : 'Call'}
            </button>
            <button type="button" className="btn btn-quiet" onClick={onClose}>
              Cancel
            </button>
          </div>
        </form>
      )}
    </Dialog>
  );
}
