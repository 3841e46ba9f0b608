import { useEffect, useRef, useState } from 'react';

type Channel = 'both' | 'caller' | 'agent';

/** Same-origin path of a signed recording link (the server's PUBLIC_BASE_URL may differ from how we reach it). */
export function sameOriginUrl(url: string): string {
  try {
    const u = new URL(url, window.location.href);
    return `${u.pathname}${u.search}`;
  } catch {
    return url;
  }
}

/**
 * The call's stereo recording (caller left, agent right) with a channel choice: Web Audio splits
 * the channels and plays the chosen one on both ears.
 */
export function RecordingPlayer({ url }: { url: string }) {
  const audio = useRef<HTMLAudioElement>(null);
  const graph = useRef<{ ctx: AudioContext; left: GainNode; right: GainNode } | undefined>(undefined);
  const [channel, setChannel] = useState<Channel>('both');

  useEffect(() => () => void graph.current?.ctx.close(), []);

  const choose = (c: Channel) => {
    setChannel(c);
    const el = audio.current;
    if (!el) return;
    if (!graph.current) {
      const ctx = new AudioContext();
      const src = ctx.createMediaElementSource(el);
      const split = ctx.createChannelSplitter(2);
      const merge = ctx.createChannelMerger(2);
      const left = ctx.createGain();
      const right = ctx.createGain();
      src.connect(split);
      split.connect(left, 0);
      split.connect(right, 1);
      // Each chosen channel goes to both ears.
      left.connect(merge, 0, 0);
      left.connect(merge, 0, 1);
      right.connect(merge, 0, 0);
      right.connect(merge, 0, 1);
      merge.connect(ctx.destination);
      graph.current = { ctx, left, right };
    }
    const g = graph.current;
    void g.ctx.resume();
    g.left.gain.value = c === 'agent' ? 0 : c === 'both' ? 0.5 : 1;
    g.right.gain.value = c === 'caller' ? 0 : c === 'both' ? 0.5 : 1;
  };

  return (
    <div className="recording">
      <audio
        ref={audio}
        controls
        preload="metadata"
        src={sameOriginUrl(url)}
        data-testid="recording"
        aria-label="Call recording"
      >
        <a href={sameOriginUrl(url)}>Download the recording</a>
      </audio>
      <fieldset className="channels">
        <legend>Listen to</legend>
        {(
          [
            ['both', 'Both'],
            ['caller', 'Caller (left)'],
            ['agent', 'Agent (right)'],
          ] as const
        ).map(([value, label]) => (
          <label key={value} className="radio">
            <input
              type="radio"
              name="channel"
              value={value}
              checked={channel === value}
              onChange={() => choose(value)}
            />{' '}
            {label}
          </label>
        ))}
      </fieldset>
      <p className="hint">
        <a href={sameOriginUrl(url)} download>
          Download WAV
        </a>{' '}
        (stereo, 8 kHz; the link expires after an hour — reload the page for a new one).
      </p>
    </div>
  );
}
