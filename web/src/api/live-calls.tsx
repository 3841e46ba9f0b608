import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import type { Call, CallChangeEvent, Page } from './types';
import { useSession } from '../session/session';

export type LiveState = 'connecting' | 'live' | 'reconnecting';
const Ctx = createContext<LiveState>('connecting');

export const callKeys = {
  lists: ['calls', 'list'] as const,
  list: (params: Record<string, unknown>) => ['calls', 'list', params] as const,
  one: (id: number) => ['calls', 'one', id] as const,
  part: (id: number, part: string) => ['calls', 'one', id, part] as const,
};

/** Applies one change to the cached call, the cached lists and the call page's parts. */
export function applyCallChange(qc: QueryClient, e: CallChangeEvent): void {
  const id = e.call.call_id;
  const before = qc.getQueryData<Call>(callKeys.one(id));
  qc.setQueryData(callKeys.one(id), e.call);
  let listed = false;
  qc.setQueriesData<Page<Call>>({ queryKey: callKeys.lists }, (page) => {
    if (!page) return page;
    if (!page.results.some((c) => c.call_id === id)) return page;
    listed = true;
    return { ...page, results: page.results.map((c) => (c.call_id === id ? e.call : c)) };
  });
  // A call no list shows yet (a new one): let the lists refetch (filters and order are the server's).
  if (!listed) void qc.invalidateQueries({ queryKey: callKeys.lists });
  void qc.invalidateQueries({ queryKey: callKeys.part(id, 'history') });
  void qc.invalidateQueries({ queryKey: callKeys.part(id, 'transcript') });
  if (before?.status !== e.call.status && e.call.status !== 'in_progress') {
    for (const part of ['metrics', 'ledger', 'deliveries', 'audio'])
      void qc.invalidateQueries({ queryKey: callKeys.part(id, part) });
    void qc.invalidateQueries({ queryKey: ['billing'] });
  }
}

/**
 * One EventSource per tab on GET /v1/calls/stream (the server feeds every tab from one poller):
 * call changes update the query cache in place, so lists and the call page change without reload.
 * `ready` (also after a reconnect) refetches the lists, since changes in between are not replayed.
 */
export function LiveCallsProvider({ children }: { children: ReactNode }) {
  const qc = useQueryClient();
  const { check } = useSession();
  const [state, setState] = useState<LiveState>('connecting');
  useEffect(() => {
    let es: EventSource | undefined;
    let retry: number | undefined;
    let stopped = false;
    const open = () => {
      es = new EventSource('/v1/calls/stream');
      es.addEventListener('ready', () => {
        setState('live');
        void qc.invalidateQueries({ queryKey: ['calls'] });
      });
      es.addEventListener('call', (m) =>
        applyCallChange(qc, JSON.parse((m as MessageEvent<string>).data) as CallChangeEvent),
      );
      es.addEventListener('signed_out', () => {
        es?.close();
        check();
      });
      es.onerror = () => {
        setState('reconnecting');
        if (es?.readyState === EventSource.CLOSED && !stopped) {
          // The server refused the stream (e.g. the session ended): find out why, then retry.
          check();
          retry = window.setTimeout(open, 5000);
        }
      };
    };
    open();
    return () => {
      stopped = true;
      window.clearTimeout(retry);
      es?.close();
    };
  }, [qc, check]);
  return <Ctx.Provider value={state}>{children}</Ctx.Provider>;
}

export const useLiveState = (): LiveState => useContext(Ctx);
