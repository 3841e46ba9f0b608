import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { get, query } from '../../api/client';
import type { Billing, LedgerEntry, Page as PageOf } from '../../api/types';
import { Link } from '../../router/router';
import { Page, Section } from '../../ui/page';
import { QueryState } from '../../ui/states';
import { DataTable, Pager, Time } from '../../ui/widgets';
import { formatCents, humanize } from '../../ui/format';

/** Below this balance the console warns (about 100 minutes of the cheapest product by default). */
export const LOW_BALANCE_CENTS = 200;
const PAGE = 25;

export function BillingPage() {
  const billing = useQuery({ queryKey: ['billing'], queryFn: () => get<Billing>('/v1/billing') });
  const [offset, setOffset] = useState(0);
  const ledger = useQuery({
    queryKey: ['billing', 'transactions', offset],
    queryFn: () => get<PageOf<LedgerEntry>>(`/v1/billing/transactions${query({ limit: PAGE, offset })}`),
  });
  return (
    <Page title="Billing">
      <Section title="Balance">
        <QueryState query={billing}>
          {(b) => (
            <>
              <p className="balance" data-testid="balance">
                {formatCents(b.balance_cents)}
              </p>
              {b.balance_cents < LOW_BALANCE_CENTS ? (
                <div className="alert alert-warn" role="alert">
                  {b.balance_cents <= 0
                    ? 'Your balance is empty: new calls fail with insufficient_balance.'
                    : 'Your balance is low: calls end when it runs out.'}{' '}
                  The operator of this server adds credit (admin API or <code>thunderphone admin credits</code>).
                </div>
              ) : null}
            </>
          )}
        </QueryState>
      </Section>
      <Section title="Ledger">
        <QueryState query={ledger} isEmpty={(p) => p.results.length === 0} empty={<p>No balance changes yet.</p>}>
          {(page) => (
            <>
              <DataTable
                label="Ledger"
                caption="Every balance change, newest first"
                columns={['When', 'Kind', 'Description', 'Call', 'Amount', 'Balance after']}
              >
                {page.results.map((e) => (
                  <tr key={e.id}>
                    <td>
                      <Time iso={e.created_at} />
                    </td>
                    <td>{humanize(e.kind)}</td>
                    <td>{e.description}</td>
                    <td>{e.call_id !== null ? <Link to={`/calls/${e.call_id}`}>#{e.call_id}</Link> : '—'}</td>
                    <td className={e.amount_cents < 0 ? 'neg' : 'pos'}>{formatCents(e.amount_cents)}</td>
                    <td>{formatCents(e.balance_after_cents)}</td>
                  </tr>
                ))}
              </DataTable>
              <Pager
                offset={page.offset}
                shown={page.results.length}
                total={page.total}
                pageSize={PAGE}
                onOffset={setOffset}
              />
            </>
          )}
        </QueryState>
      </Section>
    </Page>
  );
}
