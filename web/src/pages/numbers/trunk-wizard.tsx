import { useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { post } from '../../api/client';
import type { PhoneNumber, VoipConnection, VoipTestResult } from '../../api/types';
import { Link } from '../../router/router';
import { Page, Section } from '../../ui/page';
import { FormError, SelectField, TextArea, TextField, fieldErrors } from '../../ui/form';
import { Badge } from '../../ui/widgets';

const STEPS = ['Test', 'Save', 'Import numbers', 'Verify'] as const;

interface Trunk {
  host: string;
  port: string;
  transport: 'udp' | 'tcp';
  username: string;
  password: string;
}

const body = (t: Trunk) => ({
  provider: 'manual',
  credentials: { username: t.username, password: t.password },
  sip_config: { host: t.host.trim(), port: Number(t.port) || 5060, transport: t.transport },
});

function Check({ ok, yes, no }: { ok: boolean; yes: string; no: string }) {
  return (
    <li className={ok ? 'check-ok' : 'check-bad'}>
      <span aria-hidden="true">{ok ? '✓' : '✗'}</span> <span className="sr-only">{ok ? 'Passed:' : 'Failed:'}</span>{' '}
      {ok ? yes : no}
    </li>
  );
}

function TestResult({ r }: { r: VoipTestResult }) {
  return (
    <div
      className={`alert ${r.status === 'pass' ? 'alert-ok' : 'alert-error'}`}
      role="status"
      data-testid="trunk-test-result"
    >
      <p>
        <strong>{r.status === 'pass' ? 'The trunk passed the test.' : 'The trunk did not pass the test.'}</strong>{' '}
        {r.detail}
      </p>
      <ul className="checks">
        <Check
          ok={r.checks.inbound_reachable}
          yes="Reachable: the trunk answered a SIP OPTIONS request."
          no="Not reachable: no answer to SIP OPTIONS."
        />
        <Check
          ok={r.checks.credentials_valid}
          yes="Credentials accepted: digest authentication succeeded."
          no="Credentials refused (or not checked): the digest-authenticated request failed."
        />
        <Check ok={r.checks.outbound_authorized} yes="Outbound calls authorized." no="Outbound calls not authorized." />
      </ul>
    </div>
  );
}

/**
 * The guided trunk flow: test (real SIP: OPTIONS, then a digest-authenticated REGISTER) → save
 * with the test's evidence → import the trunk's numbers → verify each. Every check and its result
 * is shown in words.
 */
export function TrunkWizard() {
  const qc = useQueryClient();
  const [step, setStep] = useState(0);
  const [trunk, setTrunk] = useState<Trunk>({ host: '', port: '5060', transport: 'udp', username: '', password: '' });
  const [name, setName] = useState('');
  const [numbersText, setNumbersText] = useState('');
  const [connection, setConnection] = useState<VoipConnection | null>(null);
  const [numbers, setNumbers] = useState<PhoneNumber[]>([]);
  const refresh = () => {
    void qc.invalidateQueries({ queryKey: ['voip-connections'] });
    void qc.invalidateQueries({ queryKey: ['numbers'] });
  };

  const test = useMutation({
    mutationFn: () => post<VoipTestResult>('/v1/voip-connections/test', body(trunk)),
    onSuccess: (r) => {
      if (!name) setName(r.suggested_connection_name);
    },
  });
  const save = useMutation({
    mutationFn: () =>
      post<VoipConnection>('/v1/voip-connections', {
        ...body(trunk),
        name,
        setup_method: 'manual',
        verification_evidence_id: test.data?.verification_evidence_id,
      }),
    onSuccess: (c) => {
      setConnection(c);
      refresh();
      setStep(2);
    },
  });
  const importNumbers = useMutation({
    mutationFn: () =>
      post<PhoneNumber[]>(`/v1/voip-connections/${connection?.id}/import-numbers`, {
        numbers: numbersText
          .split(/[\s,;]+/)
          .map((s) => s.trim())
          .filter(Boolean),
      }),
    onSuccess: (list) => {
      setNumbers(list);
      refresh();
      setStep(3);
    },
  });
  const verify = useMutation({
    mutationFn: (id: number) => post<PhoneNumber>(`/v1/phone-numbers/${id}/verify-voip`),
    onSuccess: (n) => {
      setNumbers((prev) => prev.map((p) => (p.id === n.id ? n : p)));
      refresh();
    },
  });

  const setField = (k: keyof Trunk) => (e: { target: { value: string } }) => {
    setTrunk((t) => ({ ...t, [k]: e.target.value }));
    test.reset();
  };
  const onTest = (e: FormEvent) => {
    e.preventDefault();
    test.mutate();
  };

  return (
    <Page title="Connect a SIP trunk" actions={<Link to="/numbers">Back to numbers</Link>}>
      <ol className="steps" aria-label="Steps">
        {STEPS.map((s, i) => (
          <li
            key={s}
            aria-current={i === step ? 'step' : undefined}
            className={i < step ? 'step-done' : i === step ? 'step-now' : ''}
          >
            <span className="step-n">{i + 1}</span> {s}
            {i < step ? <span className="sr-only"> (done)</span> : null}
          </li>
        ))}
      </ol>

      {step <= 1 ? (
        <Section title="1. Your trunk's details">
          <form onSubmit={onTest} noValidate className="form-grid" aria-label="Trunk details">
            <TextField
              label="SIP host"
              name="host"
              value={trunk.host}
              onChange={setField('host')}
              placeholder="sip.mytrunk.example"
              errors={fieldErrors(test.error, 'sip_config.host')}
            />
            <TextField
              label="Port"
              name="port"
              inputMode="numeric"
              value={trunk.port}
              onChange={setField('port')}
              errors={fieldErrors(test.error, 'sip_config.port')}
            />
            <SelectField label="Transport" name="transport" value={trunk.transport} onChange={setField('transport')}>
              <option value="udp">UDP</option>
              <option value="tcp">TCP</option>
            </SelectField>
            <TextField
              label="Username"
              name="username"
              autoComplete="off"
              value={trunk.username}
              onChange={setField('username')}
              errors={fieldErrors(test.error, 'credentials.username')}
            />
            <TextField
              label="Password"
              name="password"
              type="password"
              autoComplete="new-password"
              value={trunk.password}
              onChange={setField('password')}
              errors={fieldErrors(test.error, 'credentials.password')}
              hint="Stored encrypted; never shown again."
            />
            <FormError error={test.error} shownFields={['sip_config', 'credentials']} />
            <div className="row">
              <button type="submit" className="btn btn-primary" disabled={test.isPending}>
                {test.isPending ? 'Testing the trunk…' : 'Test connection'}
              </button>
            </div>
          </form>
          {test.data ? <TestResult r={test.data} /> : null}
          {test.data?.status === 'pass' ? (
            <form
              onSubmit={(e) => {
                e.preventDefault();
                save.mutate();
              }}
              noValidate
              aria-label="Save the connection"
            >
              <h3>2. Save it</h3>
              <TextField
                label="Connection name"
                name="name"
                value={name}
                onChange={(e) => setName(e.target.value)}
                errors={fieldErrors(save.error, 'name')}
              />
              <FormError error={save.error} shownFields={['name']} />
              <button type="submit" className="btn btn-primary" disabled={save.isPending}>
                Save connection
              </button>
            </form>
          ) : null}
        </Section>
      ) : null}

      {step === 2 && connection ? (
        <Section title="3. Import your numbers">
          <p>
            Saved <strong>{connection.name}</strong> (<Badge value={connection.status} label={connection.status} />
            ). Which numbers does this trunk carry?
          </p>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              importNumbers.mutate();
            }}
            noValidate
          >
            <TextArea
              label="Numbers (E.164, one per line)"
              name="numbers"
              rows={4}
              value={numbersText}
              onChange={(e) => setNumbersText(e.target.value)}
              placeholder="+15551230001"
              errors={fieldErrors(importNumbers.error, 'numbers', true)}
            />
            <FormError error={importNumbers.error} shownFields={['numbers']} />
            <button type="submit" className="btn btn-primary" disabled={importNumbers.isPending}>
              Import numbers
            </button>
          </form>
        </Section>
      ) : null}

      {step === 3 ? (
        <Section title="4. Verify each number">
          <p>Verifying checks the trunk again for real; a verified number is active and can place outbound calls.</p>
          <ul className="verify-list">
            {numbers.map((n) => (
              <li key={n.id} data-number={n.number}>
                <strong>{n.number}</strong>{' '}
                {n.voip_verification_status === 'verified' ? (
                  <span className="check-ok" role="status">
                    ✓ Verified — active, can place outbound calls.
                  </span>
                ) : n.voip_verification_status === 'failed' ? (
                  <span className="check-bad" role="status">
                    ✗ Not verified: {n.voip_verification_error}
                  </span>
                ) : (
                  <span className="muted">Not verified yet.</span>
                )}{' '}
                {n.voip_verification_status !== 'verified' ? (
                  <button
                    type="button"
                    className="btn btn-small"
                    onClick={() => verify.mutate(n.id)}
                    disabled={verify.isPending}
                  >
                    {verify.isPending && verify.variables === n.id ? 'Verifying…' : 'Verify'}
                  </button>
                ) : null}
              </li>
            ))}
          </ul>
          <FormError error={verify.error} />
          <p>
            Next: assign agents to your numbers on <Link to="/numbers">Numbers</Link>, or{' '}
            <Link to="/calls">place a call</Link>.
          </p>
        </Section>
      ) : null}
    </Page>
  );
}
