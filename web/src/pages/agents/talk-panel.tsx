import { useRef, useState } from 'react';
import { useSignedIn } from '../../session/session';
import { createRealtimeClient, type TalkSession, type TalkTranscriptEvent } from './realtime-client';

/** "Talk to this agent" in the browser: microphone ↔ the agent, with the live transcript. */
export function TalkPanel({ agentId }: { agentId: number }) {
  const session = useSignedIn();
  const client = createRealtimeClient(session.features);
  const [state, setState] = useState<string>('idle');
  const [detail, setDetail] = useState<string | undefined>(undefined);
  const [turns, setTurns] = useState<TalkTranscriptEvent[]>([]);
  const talk = useRef<TalkSession | undefined>(undefined);

  if (!client)
    return (
      <p className="muted" data-testid="talk-unavailable">
        Talking to an agent from the browser needs the realtime API (<code>/v1/realtime</code>), which this server does
        not offer yet. Meanwhile, place a call to a verified number from <strong>Calls</strong>.
      </p>
    );

  const start = async () => {
    setTurns([]);
    talk.current = await client.talk(agentId, {
      onState: (s, d) => {
        setState(s);
        setDetail(d);
      },
      onTranscript: (e) =>
        setTurns((prev) => {
          const last = prev[prev.length - 1];
          return last && !last.final && last.role === e.role ? [...prev.slice(0, -1), e] : [...prev, e];
        }),
    });
  };
  return (
    <div className="talk">
      <div className="row">
        {state === 'idle' || state === 'ended' || state === 'error' ? (
          <button type="button" className="btn btn-primary" onClick={() => void start()}>
            Start talking
          </button>
        ) : (
          <button type="button" className="btn" onClick={() => talk.current?.hangUp()}>
            Hang up
          </button>
        )}
        <span role="status" data-testid="talk-state">
          {state}
          {detail ? `: ${detail}` : ''}
        </span>
      </div>
      <ol className="transcript" aria-live="polite">
        {turns.map((t, i) => (
          <li key={i} className={`turn turn-${t.role}`}>
            <span className="turn-role">{t.role === 'user' ? 'You' : 'Agent'}</span>{' '}
            <p className="turn-text">{t.text}</p>
          </li>
        ))}
      </ol>
    </div>
  );
}
