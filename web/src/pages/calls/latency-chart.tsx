import type { TurnLatency } from '../../api/types';
import { formatMs } from '../../ui/format';

const SEGMENTS = [
  { key: 'endpointing_ms', label: 'End of speech wait', className: 'seg-endpointing' },
  { key: 'stt_ms', label: 'Speech to text', className: 'seg-stt' },
  { key: 'llm_first_token_ms', label: 'LLM first token', className: 'seg-llm' },
  { key: 'tts_first_audio_ms', label: 'First speech audio', className: 'seg-tts' },
] as const;

/**
 * Per caller turn: how long until the agent answered, split into its stages (stacked bars, in
 * ms; the stages add up to the total). A table with the same numbers follows for screen readers.
 */
export function LatencyChart({ turns }: { turns: TurnLatency[] }) {
  const totals = turns.map((t) => SEGMENTS.reduce((s, seg) => s + (t[seg.key] ?? 0), 0));
  const max = Math.max(1, ...totals);
  const rowH = 26;
  const labelW = 70;
  const width = 560;
  const barW = width - labelW - 70;
  return (
    <figure className="latency">
      <svg
        viewBox={`0 0 ${width} ${turns.length * rowH + 8}`}
        role="img"
        aria-label={`Answer latency for ${turns.length} caller turns; numbers in the table below`}
        className="latency-svg"
      >
        {turns.map((t, i) => {
          let x = labelW;
          return (
            <g key={t.turn} transform={`translate(0, ${i * rowH + 4})`}>
              <text x={0} y={16} className="latency-label">
                Turn {t.turn}
              </text>
              {SEGMENTS.map((seg) => {
                const v = t[seg.key] ?? 0;
                const w = (v / max) * barW;
                const rect = (
                  <rect key={seg.key} x={x} y={3} width={Math.max(0, w)} height={rowH - 10} className={seg.className} />
                );
                x += w;
                return rect;
              })}
              <text x={x + 6} y={16} className="latency-label">
                {formatMs(totals[i])}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption>
        <ul className="legend">
          {SEGMENTS.map((s) => (
            <li key={s.key}>
              <span className={`swatch ${s.className}`} aria-hidden="true" /> {s.label}
            </li>
          ))}
        </ul>
      </figcaption>
      <table className="table table-compact">
        <caption className="sr-only">Latency per turn in milliseconds</caption>
        <thead>
          <tr>
            <th scope="col">Turn</th>
            {SEGMENTS.map((s) => (
              <th scope="col" key={s.key}>
                {s.label}
              </th>
            ))}
            <th scope="col">Total</th>
          </tr>
        </thead>
        <tbody>
          {turns.map((t, i) => (
            <tr key={t.turn}>
              <th scope="row">{t.turn}</th>
              {SEGMENTS.map((s) => (
                <td key={s.key}>{formatMs(t[s.key])}</td>
              ))}
              <td>{formatMs(totals[i])}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
