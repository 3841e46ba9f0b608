import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { ApiError, api, setUnauthorizedListener } from '../api/client';
import type { ConsoleSession } from '../api/types';

/** Why the console is signed out: shown on the sign-in screen. */
export type SignedOutReason = 'none' | 'signed_out' | 'revoked' | 'expired';

export type SessionState =
  | { status: 'loading' }
  | { status: 'signed_out'; reason: SignedOutReason }
  | { status: 'signed_in'; session: ConsoleSession };

interface SessionApi {
  state: SessionState;
  signIn(key: string): Promise<void>;
  signOut(): Promise<void>;
  /** Re-reads the session (e.g. when the live stream closed): a dead one signs out with its reason. */
  check(): void;
}

const Ctx = createContext<SessionApi | undefined>(undefined);

function reasonOf(code: string | undefined): SignedOutReason {
  if (code === 'session_key_revoked') return 'revoked';
  if (code === 'session_expired') return 'expired';
  return 'none';
}

/**
 * The console's session: the server's httpOnly cookie is the only credential (the key typed at
 * sign-in goes once to POST /console/session and is dropped). Any 401 from the API ends the
 * session here with its reason, and every cached query is cleared.
 */
export function SessionProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [state, setState] = useState<SessionState>({ status: 'loading' });

  const end = useCallback(
    (reason: SignedOutReason) => {
      queryClient.clear();
      setState({ status: 'signed_out', reason });
    },
    [queryClient],
  );

  const check = useCallback(() => {
    api<ConsoleSession>('GET', '/console/session', undefined, { quiet401: true }).then(
      (session) => setState({ status: 'signed_in', session }),
      (err: unknown) => {
        if (err instanceof ApiError && err.status === 401) end(reasonOf(err.code));
        else setState((s) => (s.status === 'loading' ? { status: 'signed_out', reason: 'none' } : s));
      },
    );
  }, [end]);

  useEffect(() => {
    setUnauthorizedListener((code) => end(reasonOf(code) === 'none' ? 'expired' : reasonOf(code)));
    check();
  }, [check, end]);

  const value = useMemo<SessionApi>(
    () => ({
      state,
      check,
      async signIn(key) {
        const session = await api<ConsoleSession>('POST', '/console/session', { key }, { quiet401: true });
        queryClient.clear();
        setState({ status: 'signed_in', session });
      },
      async signOut() {
        await api<void>('DELETE', '/console/session', undefined, { quiet401: true }).catch(() => undefined);
        end('signed_out');
      },
    }),
    [state, check, end, queryClient],
  );
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useSession(): SessionApi {
  const v = useContext(Ctx);
  if (!v) throw new Error('useSession outside SessionProvider');
  return v;
}

/** The signed-in session (only inside the signed-in shell). */
export function useSignedIn(): ConsoleSession {
  const { state } = useSession();
  if (state.status !== 'signed_in') throw new Error('not signed in');
  return state.session;
}
