import { useQuery } from '@tanstack/react-query';
import { get } from '../api/client';

interface HealthCheck {
  status: 'ok' | 'warning' | 'missing' | 'down';
  detail?: string;
  reason: string | null;
  fix?: string | null;
}
interface Health {
  ok: boolean;
  status: 'ok' | 'degraded';
  checks: Record<string, HealthCheck>;
}

const PART_NAMES: Record<string, string> = {
  database: 'Database',
  sip: 'SIP',
  rtp: 'RTP media',
  tts: 'Text to speech',
  llm: 'Language model',
  stt: 'Speech to text',
  console: 'Console',
};

/**
 * What the server says does not work yet (GET /v1/healthz): a missing language model or speech-to-text
 * (calls are refused), a database outage, a missing SIP port. Shown above every page, with the fix,
 * until the server reports the part ok; nothing is shown while everything is ok.
 */
export function ServerStatus() {
  const health = useQuery({
    queryKey: ['healthz'],
    queryFn: ({ signal }) => get<Health>('/v1/healthz', signal),
    refetchInterval: 60_000,
    staleTime: 30_000,
  });
  const problems = Object.entries(health.data?.checks ?? {}).filter(([, c]) => c.status !== 'ok');
  if (problems.length === 0) return null;
  const serious = problems.some(([, c]) => c.status === 'down' || c.status === 'missing');
  return (
    <section
      className={`alert ${serious ? 'alert-error' : 'alert-warn'} server-status`}
      aria-label="Server status"
      data-testid="server-status"
    >
      <p>
        <strong>Not everything works on this server yet.</strong>
      </p>
      <ul>
        {problems.map(([part, c]) => (
          <li key={part}>
            <strong>{PART_NAMES[part] ?? part}</strong>: {c.reason ?? c.detail ?? c.status}
            {c.fix ? (
              <>
                {' '}
                — fix: <code>{c.fix}</code>
              </>
            ) : null}
          </li>
        ))}
      </ul>
    </section>
  );
}
