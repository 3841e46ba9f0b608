import type { ReactNode } from 'react';
import { matchPath, Redirect, useLocation } from './router/router';
import { useSession } from './session/session';
import { LiveCallsProvider } from './api/live-calls';
import { Layout } from './ui/layout';
import { Loading } from './ui/states';
import { SignInPage } from './pages/sign-in';
import { CallsPage } from './pages/calls/calls-page';
import { CallPage } from './pages/calls/call-page';
import { AgentsPage } from './pages/agents/agents-page';
import { AgentPage } from './pages/agents/agent-page';
import { NumbersPage } from './pages/numbers/numbers-page';
import { TrunkWizard } from './pages/numbers/trunk-wizard';
import { WebhooksPage } from './pages/webhooks/webhooks-page';
import { BillingPage } from './pages/billing/billing-page';
import { ApiKeysPage } from './pages/keys/api-keys-page';
import { OperatorPage } from './pages/operator/operator-page';
import { CampaignsPage } from './pages/campaigns/campaigns-page';
import { NotFoundPage } from './pages/not-found';

type Route = { path: string; render: (p: Record<string, string>) => ReactNode };

function pick(routes: Route[], path: string): ReactNode {
  for (const r of routes) {
    const params = matchPath(r.path, path);
    if (params) return r.render(params);
  }
  return <NotFoundPage />;
}

export function App() {
  const { state } = useSession();
  const { path } = useLocation();
  if (state.status === 'loading')
    return (
      <main id="main" className="center">
        <Loading label="Opening the console…" />
      </main>
    );
  if (state.status === 'signed_out') return <SignInPage reason={state.reason} />;
  const { session } = state;

  if (session.kind === 'operator') {
    const routes: Route[] = [
      { path: '/', render: () => <Redirect to="/operator" /> },
      { path: '/operator', render: () => <OperatorPage /> },
    ];
    return (
      <Layout nav={[{ to: '/operator', label: 'Organizations' }]} live={false}>
        {pick(routes, path)}
      </Layout>
    );
  }

  const nav = [
    { to: '/calls', label: 'Calls' },
    { to: '/agents', label: 'Agents' },
    { to: '/numbers', label: 'Numbers' },
    ...(session.features.campaigns ? [{ to: '/campaigns', label: 'Campaigns' }] : []),
    { to: '/webhooks', label: 'Webhooks' },
    { to: '/billing', label: 'Billing' },
    { to: '/keys', label: 'API keys' },
  ];
  const routes: Route[] = [
    { path: '/', render: () => <Redirect to="/calls" /> },
    { path: '/calls', render: () => <CallsPage /> },
    { path: '/calls/:id', render: (p) => <CallPage id={Number(p.id)} key={p.id} /> },
    { path: '/agents', render: () => <AgentsPage /> },
    { path: '/agents/new', render: () => <AgentPage id={undefined} key="new" /> },
    { path: '/agents/:id', render: (p) => <AgentPage id={Number(p.id)} key={p.id} /> },
    { path: '/numbers', render: () => <NumbersPage /> },
    { path: '/numbers/trunk', render: () => <TrunkWizard /> },
    { path: '/webhooks', render: () => <WebhooksPage /> },
    { path: '/billing', render: () => <BillingPage /> },
    { path: '/keys', render: () => <ApiKeysPage /> },
    ...(session.features.campaigns ? [{ path: '/campaigns', render: () => <CampaignsPage /> }] : []),
  ];
  return (
    <LiveCallsProvider>
      <Layout nav={nav} live>
        {pick(routes, path)}
      </Layout>
    </LiveCallsProvider>
  );
}
