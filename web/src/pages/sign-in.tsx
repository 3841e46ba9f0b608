import { useState, type FormEvent } from 'react';
import { useSession, type SignedOutReason } from '../session/session';
import { FormError, TextField } from '../ui/form';

const REASONS: Record<SignedOutReason, string | null> = {
  none: null,
  signed_out: 'You signed out.',
  revoked: 'You were signed out: the API key this session used was revoked. Sign in with another key.',
  expired: 'Your session ended. Sign in again.',
};

export function SignInPage({ reason }: { reason: SignedOutReason }) {
  const { signIn } = useSession();
  const [key, setKey] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const notice = REASONS[reason];

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(key);
      setKey('');
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main" className="signin">
      <div className="signin-card">
        <p className="brand brand-big">
          <span aria-hidden="true">⚡</span> ThunderPhone
        </p>
        <h1>{reason === 'revoked' ? 'Signed out: key revoked' : 'Sign in to the console'}</h1>
        {notice ? (
          <div
            className={`alert ${reason === 'revoked' ? 'alert-error' : 'alert-info'}`}
            role="alert"
            data-testid="signed-out-reason"
          >
            {notice}
          </div>
        ) : null}
        <form onSubmit={(e) => void submit(e)} noValidate>
          <TextField
            label="API key"
            name="key"
            type="password"
            autoComplete="off"
            spellCheck={false}
            value={key}
            onChange={(e) => setKey(e.target.value)}
            hint={
              <>
                An org key (<code>sk_live_…</code>, printed once by <code>npm start</code>) or the operator&apos;s admin
                token. It is exchanged for a session cookie and not kept in the browser.
              </>
            }
            required
          />
          <FormError error={error} />
          <button type="submit" className="btn btn-primary" disabled={busy || key.trim() === ''}>
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
        </form>
      </div>
    </main>
  );
}
