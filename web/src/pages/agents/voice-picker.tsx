import { useRef, useState } from 'react';
import type { Voice } from '../../api/types';
import { SelectField } from '../../ui/form';

/** The voices of GET /v1/voices grouped by engine, with a preview of the selected one. */
export function VoicePicker({
  voices,
  value,
  onChange,
  errors,
}: {
  voices: Voice[];
  value: string;
  onChange: (id: string) => void;
  errors: string[];
}) {
  const audio = useRef<HTMLAudioElement | null>(null);
  const [state, setState] = useState<'idle' | 'loading' | 'playing' | 'error'>('idle');
  const engines = [...new Set(voices.map((v) => v.engine))];
  const known = voices.some((v) => v.id === value);
  const preview = () => {
    audio.current?.pause();
    const a = new Audio(`/v1/voices/${encodeURIComponent(value)}/preview`);
    audio.current = a;
    setState('loading');
    a.onplaying = () => setState('playing');
    a.onended = () => setState('idle');
    a.onerror = () => setState('error');
    a.play().catch(() => setState('error'));
  };
  return (
    <div className="voice-picker">
      <SelectField label="Voice" name="voice" value={value} onChange={(e) => onChange(e.target.value)} errors={errors}>
        {!known && value ? <option value={value}>{value} (not installed here)</option> : null}
        {engines.map((engine) => (
          <optgroup key={engine} label={engine}>
            {voices
              .filter((v) => v.engine === engine)
              .map((v) => (
                <option key={v.id} value={v.id}>
                  {v.name} — {v.language}, {v.gender}
                </option>
              ))}
          </optgroup>
        ))}
      </SelectField>
      <button type="button" className="btn" onClick={preview} disabled={!value || state === 'loading'}>
        {state === 'loading' ? 'Loading…' : state === 'playing' ? 'Playing…' : 'Preview voice'}
      </button>
      <span role="status" className="muted">
        {state === 'error' ? 'The preview could not be played.' : ''}
      </span>
    </div>
  );
}
