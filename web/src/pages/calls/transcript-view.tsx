import type { TranscriptTurn } from '../../api/types';

const ROLE: Record<string, string> = {
  user: 'Caller',
  assistant: 'Agent',
  tool_call: 'Tool call',
  tool_response: 'Tool result',
};

function clock(ms: number | undefined): string {
  if (ms === undefined) return '';
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

function ToolContent({ turn }: { turn: TranscriptTurn }) {
  if (turn.role === 'tool_call') {
    const c = (turn.content ?? {}) as { name?: string; arguments?: unknown };
    return (
      <>
        <p>
          <code>{c.name ?? 'tool'}</code>
        </p>
        <pre className="json">{JSON.stringify(c.arguments ?? null, null, 2)}</pre>
      </>
    );
  }
  return <pre className="json">{JSON.stringify(turn.content ?? null, null, 2)}</pre>;
}

/** The conversation: caller and agent turns, tool calls and their results, with offsets from the answer. */
export function TranscriptView({ turns, live }: { turns: TranscriptTurn[]; live: boolean }) {
  return (
    <ol className="transcript" aria-live={live ? 'polite' : undefined} data-testid="transcript">
      {turns.map((t, i) => (
        <li key={i} className={`turn turn-${t.role}`}>
          <div className="turn-meta">
            <span className="turn-role">{ROLE[t.role] ?? t.role}</span>{' '}
            <span className="muted">{clock(t.start_ms)}</span>
          </div>
          {t.role === 'user' || t.role === 'assistant' ? (
            <p className="turn-text">{String(t.content ?? '')}</p>
          ) : (
            <ToolContent turn={t} />
          )}
        </li>
      ))}
    </ol>
  );
}
