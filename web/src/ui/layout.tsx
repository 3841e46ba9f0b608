import type { ReactNode } from 'react';
import { Link, useLocation } from '../router/router';
import { useSession, useSignedIn } from '../session/session';
import { useLiveState } from '../api/live-calls';
import { ServerStatus } from './server-status';

interface NavItem {
  to: string;
  label: string;
}

function LiveIndicator() {
  const state = useLiveState();
  const text = state === 'live' ? 'Live' : state === 'connecting' ? 'Connecting…' : 'Reconnecting…';
  return (
    <span className={`live-dot live-${state}`} role="status" aria-label={`Live updates: ${text}`}>
      {text}
    </span>
  );
}

/** The signed-in frame: skip link, header (who you are, sign out), navigation, main landmark. */
export function Layout({ nav, live, children }: { nav: NavItem[]; live: boolean; children: ReactNode }) {
  const { path } = useLocation();
  const session = useSignedIn();
  const { signOut } = useSession();
  const who =
    session.kind === 'operator'
      ? 'Operator'
      : `${session.org?.name ?? 'Organization'} · key ${session.api_key?.key_prefix ?? ''}…`;
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link to={nav[0]?.to ?? '/'} className="brand">
          <span aria-hidden="true">⚡</span> ThunderPhone
        </Link>
        <div className="topbar-right">
          {live ? <LiveIndicator /> : null}
          <span className="who">{who}</span>
          <button type="button" className="btn btn-quiet" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <nav className="sidenav" aria-label="Main">
        <ul>
          {nav.map((item) => {
            const current = path === item.to || path.startsWith(`${item.to}/`);
            return (
              <li key={item.to}>
                <Link to={item.to} aria-current={current ? 'page' : undefined}>
                  {item.label}
                </Link>
              </li>
            );
          })}
        </ul>
      </nav>
      <main id="main" className="content">
        <ServerStatus />
        {children}
      </main>
    </div>
  );
}
